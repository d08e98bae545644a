"""Every route of the API, declared once: its name, method, path and default rate limit.

The router (`routes.py`) serves each from here and refuses a handler the table does not hold;
the rate limit (`limits.py`, `BAI_RATE_LIMITS`) and its refusal counter use the names; the
request metrics and the access log label a request with the path as routed; README's
configuration table lists the names.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from litestar import route
from litestar.handlers import HTTPRouteHandler
from litestar.types import Method

API_PREFIX: Final = "/pb/api"
ROUTE_OPTION: Final = "rate_limit"


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Route:
    name: str  # in `BAI_RATE_LIMITS` and the `route` label of `bai_rate_limited_requests`
    method: Method
    path: str  # under `API_PREFIX`
    limit: Limit | None  # per client address; None: unlimited unless the operator sets one

    @property
    def routed(self) -> str:
        """The path as Litestar routes it: the `route` of the request metrics and log line."""
        return API_PREFIX + self.path


# Generous on purpose: a carrier NAT puts hundreds of people behind one address, and a person
# logs in a few times an hour at most. Readiness (`health`) costs a database round trip: ten a
# second is far above a load balancer's probes (one every 1-5 s per probe address). Liveness
# touches nothing and a refusal would restart a sound worker: no limit unless the operator
# sets one.
LOGIN = Route("login", "POST", "/wechat/login", Limit(300, 60))
PROFILE = Route("profile", "POST", "/wechat/profile", Limit(120, 60))
REFRESH_TOKEN = Route("refresh-token", "POST", "/system/refresh-token", Limit(300, 60))
USERS_COUNT = Route("users-count", "POST", "/system/users-count", Limit(600, 60))
HEALTH = Route("health", "GET", "/health", Limit(10, 1))
HEALTH_LIVE = Route("health-live", "GET", "/health/live", None)
# BAI's own, beyond the client's contract (SPEC "Sessions and sign-out").
LOGOUT = Route("logout", "POST", "/wechat/logout", Limit(120, 60))
LOGOUT_ALL = Route("logout-all", "POST", "/wechat/logout-all", Limit(60, 60))
SESSIONS = Route("sessions", "GET", "/wechat/sessions", Limit(120, 60))
# WeChat's pushes come from a few of WeChat's addresses, each carrying many people's events:
# far above what a refusal of one (WeChat retries three times, then drops it) should risk.
PUSH_CHECK = Route("push-check", "GET", "/wechat/push/{appid:str}", Limit(60, 60))
PUSH = Route("push", "POST", "/wechat/push/{appid:str}", Limit(6000, 60))
ROUTES: Final = (
    LOGIN,
    PROFILE,
    REFRESH_TOKEN,
    USERS_COUNT,
    HEALTH,
    HEALTH_LIVE,
    LOGOUT,
    LOGOUT_ALL,
    SESSIONS,
    PUSH_CHECK,
    PUSH,
)


class UndeclaredRoute(ValueError):
    """A handler the table does not hold, or a route of the table nothing serves."""


def serves(declared: Route, **openapi: Any) -> Callable[[Callable[..., Any]], HTTPRouteHandler]:
    """The decorator of the handler that serves `declared` (its path, method and name), with
    the rest of its OpenAPI description."""
    return route(
        declared.path, http_method=declared.method, opt={ROUTE_OPTION: declared.name}, **openapi
    )


def checked(handlers: list[HTTPRouteHandler]) -> list[HTTPRouteHandler]:
    """`handlers`, once each route of the table is served by exactly one of them and each of
    them serves a route of the table as declared; otherwise `UndeclaredRoute` (so a route
    cannot run without its limit)."""
    by_name = {declared.name: declared for declared in ROUTES}
    served = []
    for handler in handlers:
        declared = by_name.get(handler.opt.get(ROUTE_OPTION, ""))
        where = f"{'/'.join(sorted(handler.http_methods))} {' '.join(sorted(handler.paths))}"
        if declared is None or handler.http_methods != {declared.method}:
            raise UndeclaredRoute(f"{where} ({handler.handler_name}) is not in the route table")
        if handler.paths != {declared.path}:
            raise UndeclaredRoute(f"{where} is declared at {declared.path}")
        served.append(declared.name)
    if sorted(served) != sorted(by_name):
        raise UndeclaredRoute(f"routes served {sorted(served)}, declared {sorted(by_name)}")
    return handlers
