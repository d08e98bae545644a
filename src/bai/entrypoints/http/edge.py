"""What every request passes first and last: request id, client address, access log, metrics."""

import random
import re
import time
from collections.abc import Sequence
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from bai.adapters.prometheus.metrics import UNMATCHED_ROUTE, PrometheusMetrics
from bai.entrypoints.observability.logs import REQUEST_ID, AccessLines

from .client_address import IPNetwork, client_address

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def _new_request_id() -> str:
    # A label for log lines, not a secret: no need for the OS's random source per request.
    return f"{random.getrandbits(128):032x}"


def _header_lines(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope["headers"] if key == name]


class Edge:
    """A plain ASGI wrapper around the whole application, so it sees every request, routed or
    not: it names the request and its client (in `scope["state"]`), echoes `X-Request-ID` and
    writes the one access-log line and counts the request. Every other line logged while the
    request is served carries its id too (`logs.REQUEST_ID`). Lifespan and other scopes pass
    straight through."""

    def __init__(
        self, app: ASGIApp, *, trusted_proxies: Sequence[IPNetwork], metrics: PrometheusMetrics
    ) -> None:
        self.app = app
        self._trusted = tuple(trusted_proxies)
        self._metrics = metrics
        self._access = AccessLines()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        await self._http(scope, receive, send)

    async def _http(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":  # the first one, if it is one BAI would make
                given = value.decode("latin-1")
                request_id = given if _REQUEST_ID.fullmatch(given) else ""
                break
        request_id = request_id or _new_request_id()
        client_socket = scope.get("client")
        peer = client_socket[0] if client_socket else ""
        forwarded = _header_lines(scope, b"x-forwarded-for") if self._trusted else []
        client = client_address(peer, forwarded, self._trusted)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"], state["client"] = request_id, client
        named = REQUEST_ID.set(request_id)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template")
            line = {
                "method": scope["method"],
                "route": route or scope["path"],
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "request_id": request_id,
                "user_id": state.get("user_id", ""),
                "client": client,
            }
            event = state.get("event")
            if event is not None:
                line["event"] = event
                if "reason" in state:
                    line["reason"] = state["reason"]
            self._access.write(line)
            REQUEST_ID.reset(named)
            self._metrics.request(scope["method"], route or UNMATCHED_ROUTE, status, seconds)
            if event is not None:
                self._metrics.auth_event(event, state.get("reason", ""))
