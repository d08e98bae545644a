"""`GET /metrics` for the addresses allowed to read it, and the pool gauges behind it."""

import asyncio
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.pool import QueuePool

from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.entrypoints.container import Container

from .client_address import client_address, within

POOL_SAMPLE_SECONDS = 1.0
RELAY_HEADERS = frozenset({b"x-forwarded-for", b"forwarded"})
# Litestar adds the charset of a text/* answer itself.
MEDIA_TYPE = CONTENT_TYPE_LATEST.removesuffix("; charset=utf-8")


def metrics_route(container: Container) -> HTTPRouteHandler:
    """Prometheus's text for clients in `BAI_METRICS_ALLOW` (the address resolved through the
    trusted proxies, so a request relayed by nginx is judged by its real client, and refused
    when that client cannot be told); everyone else gets the same 404 as for a path that does
    not exist."""
    allowed = container.config.metrics_allow()
    metrics = container.metrics()

    @get("/metrics", include_in_schema=False)
    async def scrape(request: Request[Any, Any, Any]) -> Response[bytes]:
        client = _judged_client(request.scope)
        if client is None or not within(client, allowed):
            raise NotFoundException
        return Response(metrics.scrape(), media_type=MEDIA_TYPE)

    return scrape


def _judged_client(scope: Any) -> str | None:
    """The client as the edge resolved it; None for a request a proxy relayed (it says so in
    `X-Forwarded-For` or `Forwarded`) whose real client could not be told, since the address
    left is the proxy's own (loopback, for an nginx on the host)."""
    client: str = scope["state"]["client"]
    relayed = any(name in RELAY_HEADERS for name, _ in scope["headers"])
    peer = scope.get("client")
    if relayed and (peer is None or client == client_address(peer[0], (), ())):
        return None
    return client


def pool_usage(container: Container) -> Callable[[], tuple[int, int]] | None:
    """How to read this worker's database pool (open, in use); None for stores without one."""
    storage = container.config.storage()
    if storage == "postgresql":
        return container.postgres_pool().usage
    engine = container.engine() if storage == "sqlite" else None
    if engine is not None and isinstance(pool := engine.pool, QueuePool):
        return lambda: (pool.checkedin() + pool.checkedout(), pool.checkedout())
    return None


async def sample_pool(read: Callable[[], tuple[int, int]], metrics: PrometheusMetrics) -> None:
    """Copy the pool's use into the gauges every second: under several workers, values reach a
    scrape only through the metrics files, which a collector at scrape time could not read."""
    while True:
        open_connections, in_use = read()
        metrics.pool(open_connections=open_connections, in_use=in_use)
        await asyncio.sleep(POOL_SAMPLE_SECONDS)
