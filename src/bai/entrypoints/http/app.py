"""The Litestar application factory."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ASGIApp

from bai.entrypoints.container import Container
from bai.entrypoints.settings import load_settings
from bai.entrypoints.wiring import close_connections, container_for

from .edge import ROUTE_LIMITS, Edge
from .errors import EXCEPTION_HANDLERS
from .request import MAX_BODY_BYTES, JsonBodyRequest
from .routes import api_router


def _lifespan(container: Container) -> Callable[[Litestar], Any]:
    """Connections open lazily on first use; they are closed when the app stops."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await close_connections(container)

    return lifespan


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="BAI PocketBase WeChat API",
        version="1.0.0-wx",
        path="/pb/api/docs",
        render_plugins=[SwaggerRenderPlugin(path="/")],
        components=Components(
            security_schemes={
                "bearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
    )


def create_app(container: Container | None = None) -> Litestar:
    container = container or container_for(load_settings())
    app = Litestar(
        route_handlers=[api_router(container)],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=_openapi(),
        lifespan=[_lifespan(container)],
        logging_config=None,
        debug=False,
    )
    # Litestar hands every HTTP request to `asgi_handler`: wrapping it once puts the edge in
    # front of routing, so it also sees requests no route matches.
    app.asgi_handler = cast(
        ASGIApp,
        Edge(
            cast(Any, app.asgi_handler),
            trusted_proxies=container.config.trusted_proxies(),
            limiter=container.rate_limiter(),
            limits=ROUTE_LIMITS,
        ),
    )
    return app
