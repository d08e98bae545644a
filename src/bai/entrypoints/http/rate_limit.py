"""The rate limit, applied per client and per route that answers, however its path was spelled."""

from collections.abc import Mapping
from typing import Protocol

from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.domain.errors import TooManyRequests

from .client_address import limit_key
from .limits import Limit
from .route_table import ROUTE_OPTION, ROUTES


class RateLimiter(Protocol):
    """Counts requests per key in fixed windows: what this middleware needs, met by
    `adapters.memory` and `adapters.redis` (structurally: they need not import it)."""

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> int:
        """Count one request for `key`: 0 if it is within `limit` for the current window,
        otherwise the seconds until the window ends."""
        ...


class UnlimitedRoute(ValueError):
    """Limits that say nothing of a route of the table: it would run unlimited unasked."""


class RateLimitMiddleware(ASGIMiddleware):
    """Runs after routing, so it counts the route Litestar chose (named by the handler's
    `opt["rate_limit"]`), not the path as sent: `/x/`, `//x` and `%2f` reach one counter. A
    request over the limit raises `TooManyRequests`, which the error module turns into the 429
    envelope with `Retry-After`."""

    def __init__(
        self, limiter: RateLimiter, limits: Mapping[str, Limit | None], metrics: PrometheusMetrics
    ) -> None:
        if missing := [route.name for route in ROUTES if route.name not in limits]:
            raise UnlimitedRoute(f"no rate limit for {', '.join(missing)}")
        self._limiter = limiter
        self._limits = limits
        self._metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        route = scope["route_handler"].opt.get(ROUTE_OPTION, "")
        limit = self._limits.get(route)
        if limit is not None:
            key = f"{route}|{limit_key(scope['state']['client'])}"
            retry_after = await self._limiter.hit(
                key, limit=limit.requests, window_seconds=limit.window_seconds
            )
            if retry_after:
                self._metrics.rate_limited(route)
                raise TooManyRequests(retry_after=retry_after)
        await next_app(scope, receive, send)
