"""OpenTelemetry tracing: an optional extra (`pip install 'bai[otel]'`), off unless an OTLP
endpoint is configured with OpenTelemetry's own variables (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`; `OTEL_SERVICE_NAME`, `OTEL_SDK_DISABLED` and the rest as
the SDK reads them).

Each request is a server span; its database statements (asyncpg, SQLAlchemy, or PocketBase's
HTTP API) and WeChat calls are its children. Spans carry no secret: WeChat's URLs keep their
path only (their query holds the app secret, login codes and the access token), statements are
recorded with their placeholders, never their values, and no header is recorded.
"""

import importlib.util
import os
from collections.abc import Callable, Mapping
from typing import Any, cast

import httpx
from dependency_injector import providers
from litestar.types import ASGIApp

from bai.entrypoints.container import Container

ENDPOINTS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
EXTRA_MISSING = (
    "{name} is set but tracing is not installed: pip install 'bai[otel]' (or unset {name})"
)
EXTRA_MODULES = (  # what `traced` imports, one module per distribution of the extra
    "opentelemetry.sdk",
    "opentelemetry.exporter.otlp.proto.http",
    "opentelemetry.instrumentation.asgi",
    "opentelemetry.instrumentation.asyncpg",
    "opentelemetry.instrumentation.httpx",
    "opentelemetry.instrumentation.sqlalchemy",
)


def tracing_requested(env: Mapping[str, str] = os.environ) -> bool:
    disabled = env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    return not disabled and any(env.get(name, "").strip() for name in ENDPOINTS)


def why_no_tracing(env: Mapping[str, str] = os.environ) -> str | None:
    """The reason `bai serve` cannot trace as configured, or None."""
    if not tracing_requested(env) or all(map(_installed, EXTRA_MODULES)):
        return None
    return EXTRA_MISSING.format(name=next(name for name in ENDPOINTS if env.get(name, "").strip()))


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is absent too
        return False


def traced(container: Container, make_app: Callable[[Container], ASGIApp]) -> ASGIApp:
    """The app `make_app` builds on `container`, inside a server span per request when tracing
    is requested (the container's clients instrumented before the app is built on them), or
    plain otherwise. Call it in each worker process before the first request."""
    if not tracing_requested():
        return make_app(container)
    # The extra's modules are imported only when it is configured (and so installed).
    from opentelemetry import trace  # noqa: PLC0415
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware  # noqa: PLC0415
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor  # noqa: PLC0415
    from opentelemetry.instrumentation.httpx import (  # noqa: PLC0415
        AsyncOpenTelemetryTransport,
        HTTPXClientInstrumentor,
    )
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor  # noqa: PLC0415
    from opentelemetry.sdk.resources import OTELResourceDetector, Resource  # noqa: PLC0415
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
    from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415

    resource = Resource.create({"service.name": "bai"}).merge(OTELResourceDetector().detect())
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)

    AsyncPGInstrumentor().instrument(tracer_provider=provider)  # type: ignore[no-untyped-call]
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)  # PocketBase's API
    wechat = AsyncOpenTelemetryTransport(
        container.adapters.wechat_transport(), tracer_provider=provider, request_hook=_path_only
    )
    container.adapters.wechat_transport.override(providers.Object(wechat))
    app = make_app(container)
    for engine in container.adapters.storage().engines():
        # Its version check stops at SQLAlchemy 2.0, and 2.1 keeps the engine events it uses.
        SQLAlchemyInstrumentor().instrument(
            engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True
        )
    return cast(ASGIApp, OpenTelemetryMiddleware(app, tracer_provider=provider))


async def _path_only(span: Any, request: Any) -> None:
    """WeChat's URL without its query (the app secret, codes, the access token)."""
    url = request.url
    shown = str(url.copy_with(query=None)) if isinstance(url, httpx.URL) else "(not shown)"
    for key in ("url.full", "http.url"):
        span.set_attribute(key, shown)
