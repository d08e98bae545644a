"""The Litestar application factory."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from dependency_injector import providers
from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from bai.entrypoints.container import Container
from bai.entrypoints.settings import load_settings
from bai.entrypoints.wiring import container_for

from .errors import EXCEPTION_HANDLERS
from .request import JsonBodyRequest
from .routes import api_router

MAX_BODY_BYTES = 64 * 1024
T = TypeVar("T")
logger = logging.getLogger("bai")


def _provide(provider: providers.Provider[T]) -> Provide:
    """Litestar reads a dependency's signature, and providers have none: wrap each once."""

    def resolve() -> T:
        return provider()

    return Provide(resolve, use_cache=True, sync_to_thread=False)


def _lifespan(container: Container) -> Callable[[Litestar], Any]:
    """Connections open lazily on first use; they are closed when the app stops."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await container.wechat_http().aclose()
            if (engine := container.engine()) is not None:
                await engine.dispose()

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
    dependencies = {
        "login_or_register": _provide(container.login_or_register),
        "complete_profile": _provide(container.complete_profile),
        "refresh": _provide(container.refresh_token),
        "count_users": _provide(container.count_users),
        "check_readiness": _provide(container.check_readiness),
        "present_user": _provide(container.present_user),
    }
    return Litestar(
        route_handlers=[api_router],
        dependencies=dependencies,
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=_openapi(),
        lifespan=[_lifespan(container)],
        logging_config=None,
        debug=False,
    )
