"""The console's door, before any routing: a client outside `BAI_CONSOLE_ALLOW` gets the 404 of
a path that is not there for everything under `/pb/console` (its style sheet, a wrong method,
an OPTIONS too), so nothing tells it a console exists; and every answer there, the framework's
own refusals included, carries the headers of a careful admin page."""

import re
from typing import Final

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from bai.entrypoints.config.variables import IPNetwork

from ..client_address import within
from ..errors import MESSAGE_BY_STATUS
from ..metrics import judged_client
from .site import CONSOLE, PAGE_HEADERS

_NOT_THERE: Final = msgspec.json.encode({"code": 404, "msg": MESSAGE_BY_STATUS[404], "data": {}})
_SLASHES: Final = re.compile(r"/{2,}")
_HEADERS: Final = [(name.lower().encode(), value.encode()) for name, value in PAGE_HEADERS.items()]


class ConsoleGate:
    """Wraps the application inside the edge (which has named the client by then)."""

    def __init__(self, app: ASGIApp, *, allowed: tuple[IPNetwork, ...]) -> None:
        self.app, self._allowed = app, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not _console(scope["path"]):
            await self.app(scope, receive, send)
            return
        client = judged_client(scope)
        if client is None or not within(client, self._allowed):
            await _not_there(send)
            return

        async def carefully(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                named = {name.lower() for name, _ in given}
                kept = [header for header in _HEADERS if header[0] not in named]
                message = {**message, "headers": [*given, *kept]}
            await send(message)

        await self.app(scope, receive, carefully)


def _console(path: str) -> bool:
    """Whether the router would take `path` to the console (it treats a run of slashes as
    one: `/pb//console/` is the console too)."""
    if "//" in path:
        path = _SLASHES.sub("/", path)
    return path.startswith(CONSOLE) and (len(path) == len(CONSOLE) or path[len(CONSOLE)] == "/")


async def _not_there(send: Send) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(_NOT_THERE)).encode()),
        *_HEADERS,
    ]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": _NOT_THERE, "more_body": False})
