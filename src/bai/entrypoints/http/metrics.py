"""`GET /metrics` for the addresses allowed to read it, and the pool gauges behind it."""

import asyncio
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST

from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.entrypoints.config.variables import IPNetwork

from .client_address import client_address, within

POOL_SAMPLE_SECONDS = 1.0
RELAY_HEADERS = frozenset({b"x-forwarded-for", b"forwarded"})
# Litestar adds the charset of a text/* answer itself.
MEDIA_TYPE = CONTENT_TYPE_LATEST.removesuffix("; charset=utf-8")


def metrics_route(allowed: tuple[IPNetwork, ...], metrics: PrometheusMetrics) -> HTTPRouteHandler:
    """Prometheus's text for clients in `BAI_METRICS_ALLOW` (the address resolved through the
    trusted proxies, so a request relayed by nginx is judged by its real client, and refused
    when that client cannot be told); everyone else gets the same 404 as for a path that does
    not exist."""

    @get("/metrics", include_in_schema=False)
    async def scrape(request: Request[Any, Any, Any]) -> Response[bytes]:
        client = judged_client(request.scope)
        if client is None or not within(client, allowed):
            raise NotFoundException
        return Response(metrics.scrape(), media_type=MEDIA_TYPE)

    return scrape


def judged_client(scope: Any) -> str | None:
    """The client as the edge resolved it; None for a request a proxy relayed (it says so in
    `X-Forwarded-For` or `Forwarded`) whose real client could not be told, since the address
    left is the proxy's own (loopback, for an nginx on the host)."""
    client: str = scope["state"]["client"]
    relayed = any(name in RELAY_HEADERS for name, _ in scope["headers"])
    peer = scope.get("client")
    if relayed and (peer is None or client == client_address(peer[0], (), ())):
        return None
    return client


async def sample_pool(
    read: Callable[[], tuple[int, int] | None], metrics: PrometheusMetrics
) -> None:
    """Copy the pool's use into the gauges every second: under several workers, values reach a
    scrape only through the metrics files, which a collector at scrape time could not read."""
    while True:
        if (figures := read()) is not None:
            open_connections, in_use = figures
            metrics.pool(open_connections=open_connections, in_use=in_use)
        await asyncio.sleep(POOL_SAMPLE_SECONDS)
