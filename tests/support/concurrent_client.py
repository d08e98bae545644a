"""A client that really runs requests at the same time.

Litestar's `AsyncTestClient` hands each request to a blocking portal, one after the other;
`httpx.ASGITransport` runs them on the caller's event loop, interleaved as a server would. The
app's ASGI lifespan runs around it, as a server runs it.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from litestar.types import ASGIApp


@asynccontextmanager
async def lifespan(app: ASGIApp) -> AsyncIterator[None]:
    """Startup before, shutdown after: the ASGI lifespan protocol, as a server drives it."""
    to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope: Any = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}

    async def serve() -> None:
        await app(scope, to_app.get, from_app.put)  # type: ignore[arg-type]

    task = asyncio.create_task(serve())
    await to_app.put({"type": "lifespan.startup"})
    started = await from_app.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await from_app.get()
        await task


@asynccontextmanager
async def concurrent_client(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        lifespan(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client
