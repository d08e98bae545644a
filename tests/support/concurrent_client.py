"""A client that really runs requests at the same time.

Litestar's `AsyncTestClient` hands each request to a blocking portal, one after the other;
`httpx.ASGITransport` runs them on the caller's event loop, interleaved as a server would.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
from litestar import Litestar


@asynccontextmanager
async def concurrent_client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client
