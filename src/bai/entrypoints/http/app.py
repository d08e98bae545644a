"""The Litestar application factory."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import MISSING, fields
from typing import Any, cast

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.openapi.spec import Reference
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp

from bai.entrypoints.account_actions import account_actions
from bai.entrypoints.closing import closed, opened
from bai.entrypoints.config.settings import Settings, load_settings
from bai.entrypoints.container import Container
from bai.entrypoints.serving.sweeps import sweep_periodically
from bai.entrypoints.wiring import container_for

from .console.cookies import ConsoleCookies
from .console.gate import ConsoleGate
from .console.routes import ConsoleCases, console_router
from .console.site import TEMPLATES
from .docs import docs_router, openapi_config
from .edge import Edge
from .errors import EXCEPTION_HANDLERS
from .metrics import metrics_route, sample_pool
from .push_routes import push_apps
from .rate_limit import RateLimitMiddleware
from .request import BODY_TIMEOUT, MAX_BODY_BYTES, JsonBodyRequest
from .routes import RoutedUseCases, api_router


def _lifespan(container: Container) -> Callable[[Litestar], Any]:
    """Beside the requests the worker warms its storage (a pool opened before the first burst,
    not in it), follows a token secret the storage keeps (PocketBase's may be rotated there),
    sweeps sessions past their retention and samples its pool; what the container opened is
    closed when the app stops."""
    adapters = container.adapters

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        storage, metrics = adapters.storage(), adapters.metrics()
        await opened(container)
        background = [
            storage.warm(),
            storage.follow_signing(adapters.signing(), adapters.tokens().rekey),
            sweep_periodically(
                container.use_cases.keeping().sweep, what="ended or expired sessions"
            ),
            sweep_periodically(
                container.use_cases.forget_push_events().execute, what="push event records"
            ),
        ]
        if storage.usage() is not None:
            background.append(sample_pool(storage.usage, metrics))
        tasks = [asyncio.ensure_future(work) for work in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            metrics.stopped()
            await closed(container)

    return lifespan


def create_app(given: Settings | Container | None = None) -> Edge:
    """The API as the server runs it, for `given` settings (or a container made for them): the
    Litestar app inside the edge (request ids, client addresses, access log, request metrics),
    with the rate limit as Litestar middleware when it is on, `/metrics` beside the API, and
    the docs (page, assets, OpenAPI document) unless `BAI_DOCS=off`. The use cases are built
    here, once; handlers receive them."""
    if given is None or isinstance(given, Settings):
        container = container_for(given or load_settings())
    else:
        container = given
    settings: Settings = container.settings()
    limiter = container.adapters.rate_limiter()
    metrics = container.adapters.metrics()
    middleware = [RateLimitMiddleware(limiter, settings.rate_limits, metrics)] if limiter else []
    app = Litestar(
        route_handlers=[
            api_router(
                _routed(container),
                push=push_apps(settings.wechat_apps),
                metrics=metrics,
                clock=container.adapters.clock(),
            ),
            metrics_route(settings.metrics_allow, metrics),
            *([docs_router()] if settings.docs else []),
            *([_console(container)] if settings.console else []),
        ],
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        request_max_body_size=MAX_BODY_BYTES,
        middleware=middleware,
        state=State({BODY_TIMEOUT: settings.http_body_timeout}),
        openapi_config=openapi_config() if settings.docs else None,
        lifespan=[_lifespan(container)],
        logging_config=None,
        debug=False,
    )
    if settings.docs:
        _optional_bodies_documented_as_optional(app)
    inner = cast(ASGIApp, app)
    if settings.console:
        inner = ConsoleGate(inner, allowed=settings.console_allow)
    return Edge(inner, trusted_proxies=settings.trusted_proxies, metrics=metrics)


def _console(container: Container) -> Router:
    settings, adapters, cases = container.settings(), container.adapters, container.use_cases
    return console_router(
        ConsoleCases(
            sign_in=cases.operator_sign_in(),
            accounts=cases.operator_accounts(),
            show_overview=cases.show_overview(),
            list_users=cases.list_users(),
            show_user_record=cases.show_user_record(),
            account_actions=account_actions(cases),
            list_conflicts=cases.list_conflicts(),
            link_conflict=cases.link_conflict(),
            dismiss_conflict=cases.dismiss_conflict(),
            list_push_events=cases.list_push_events(),
            audit_log=cases.audit_log(),
            apps=settings.wechat_apps.core.all,
        ),
        allowed=settings.console_allow,
        cookies=ConsoleCookies(lambda: adapters.signing().secret.encode()),  # noqa: PLW0108 (read when first used)
        clock=adapters.clock(),
        secure=settings.env == "production",
    )


def _routed(container: Container) -> RoutedUseCases:
    """The handlers' use cases, each resolved once from `UseCases` by its field's name."""
    names = (case.name for case in fields(RoutedUseCases) if case.default_factory is MISSING)
    return RoutedUseCases(**{name: getattr(container.use_cases, name)() for name in names})


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
