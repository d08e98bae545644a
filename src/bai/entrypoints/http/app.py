"""The Litestar application factory."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi.spec import Reference
from litestar.types import ASGIApp

from bai.adapters.pocketbase.secret_watch import follow_secret
from bai.entrypoints.container import Container
from bai.entrypoints.settings import load_settings
from bai.entrypoints.wiring import close_connections, container_for

from .docs import docs_router, openapi_config
from .edge import Edge
from .errors import EXCEPTION_HANDLERS
from .metrics import metrics_route, pool_usage, sample_pool
from .rate_limit import RateLimitMiddleware
from .request import BODY_TIMEOUT, MAX_BODY_BYTES, JsonBodyRequest
from .routes import api_router


def _lifespan(container: Container) -> Callable[[Litestar], Any]:
    """The PostgreSQL pool opens as the worker starts (the first request waits for it if it is
    not open yet); connections are closed when the app stops. Meanwhile the worker follows
    PocketBase's secret (it may be rotated there) and samples its pool."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        background = []
        if container.config.storage() == "pocketbase":
            background.append(
                follow_secret(
                    container.pocketbase(),
                    container.config.token_secret(),
                    container.tokens().rekey,
                    every=container.config.secret_check_seconds(),
                )
            )
        if container.config.storage() == "postgresql":  # before the first burst, not in it
            background.append(container.postgres_pool().warm())
        if (read := pool_usage(container)) is not None:
            background.append(sample_pool(read, container.metrics()))
        tasks = [asyncio.ensure_future(work) for work in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            container.metrics().stopped()
            await close_connections(container)

    return lifespan


def create_app(container: Container | None = None) -> Edge:
    """The API as the server runs it: the Litestar app inside the edge (request ids, client
    addresses, access log, request metrics), with the rate limit as Litestar middleware when it
    is on, `/metrics` beside the API, and the docs (page, assets, OpenAPI document) unless
    `BAI_DOCS=off`."""
    container = container or container_for(load_settings())
    docs = container.config.docs()
    limiter = container.rate_limiter()
    metrics = container.metrics()
    middleware = (
        [RateLimitMiddleware(limiter, container.config.rate_limits(), metrics)] if limiter else []
    )
    app = Litestar(
        route_handlers=[
            api_router(container),
            metrics_route(container),
            *([docs_router()] if docs else []),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        request_max_body_size=MAX_BODY_BYTES,
        middleware=middleware,
        state=State({BODY_TIMEOUT: container.config.http_body_timeout()}),
        openapi_config=openapi_config() if docs else None,
        lifespan=[_lifespan(container)],
        logging_config=None,
        debug=False,
    )
    if docs:
        _optional_bodies_documented_as_optional(app)
    return Edge(
        cast(ASGIApp, app), trusted_proxies=container.config.trusted_proxies(), metrics=metrics
    )


def _optional_bodies_documented_as_optional(app: Litestar) -> None:
    """Litestar documents every request body as required; a handler whose body may be left out
    (`data: X | None = None`, refresh-token's) is documented as optional, as the contract has it."""
    paths = app.openapi_schema.paths or {}
    for route in app.routes:
        handlers = getattr(route, "route_handlers", [])
        for handler in (h for h in handlers if _body_is_optional(h)):
            for method in handler.http_methods:
                operation = getattr(paths.get(route.path), method.lower(), None)
                body = operation.request_body if operation is not None else None
                if body is not None and not isinstance(body, Reference):
                    body.required = False


def _body_is_optional(handler: Any) -> bool:
    data = handler.parsed_data_field
    return data is not None and bool(data.is_optional)
