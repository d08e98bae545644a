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

from .client_address import within

POOL_SAMPLE_SECONDS = 1.0
# Litestar adds the charset of a text/* answer itself.
MEDIA_TYPE = CONTENT_TYPE_LATEST.removesuffix("; charset=utf-8")


def metrics_route(container: Container) -> HTTPRouteHandler:
    """Prometheus's text for clients in `BAI_METRICS_ALLOW` (the address resolved through the
    trusted proxies, so a request relayed by nginx is judged by its real client); everyone
    else gets the same 404 as for a path that does not exist."""
    allowed = container.config.metrics_allow()
    metrics = container.metrics()

    @get("/metrics", include_in_schema=False)
    async def scrape(request: Request[Any, Any, Any]) -> Response[bytes]:
        if not within(request.scope["state"]["client"], allowed):
            raise NotFoundException
        return Response(metrics.scrape(), media_type=MEDIA_TYPE)

    return scrape


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
