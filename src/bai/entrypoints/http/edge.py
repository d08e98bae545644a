"""What every request passes first: request id, client address, rate limit, access log."""

import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from bai.domain.errors import TooManyRequests
from bai.ports.rate_limiter import RateLimiter

from .client_address import IPNetwork, client_address
from .errors import status_for
from .schemas import ErrorResponse

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
access_log = logging.getLogger("bai.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    window_seconds: int


# Per client address and route. Generous on purpose: a carrier NAT puts hundreds of people
# behind one address, and a person logs in a few times an hour at most.
ROUTE_LIMITS: Final[dict[str, Limit]] = {
    "/pb/api/wechat/login": Limit(300, 60),
    "/pb/api/wechat/profile": Limit(120, 60),
    "/pb/api/system/refresh-token": Limit(300, 60),
    "/pb/api/system/users-count": Limit(600, 60),
}


def _new_request_id() -> str:
    # A label for log lines, not a secret: no need for the OS's random source per request.
    return f"{random.getrandbits(128):032x}"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class Edge:
    """Wraps the whole application once, so it sees every request, routed or not."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: Sequence[IPNetwork],
        limiter: RateLimiter | None,
        limits: dict[str, Limit] = ROUTE_LIMITS,
    ) -> None:
        self._app = app
        self._trusted = tuple(trusted_proxies)
        self._limiter = limiter
        self._limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        given = _header(scope, b"x-request-id")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else _new_request_id()
        peer = scope["client"][0] if scope.get("client") else ""
        client = client_address(peer, _header(scope, b"x-forwarded-for"), self._trusted)
        state: dict[str, Any] = scope.setdefault("state", {})
        state.update(request_id=request_id, client=client)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            retry_after = await self._hit(scope["path"], client)
            if retry_after:
                await _too_many_requests(send_with_id, retry_after)
            else:
                await self._app(scope, receive, send_with_id)
        finally:
            line = {
                "method": scope["method"],
                "route": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
                "user_id": state.get("user_id", ""),
                "client": client,
            }
            line.update({key: state[key] for key in ("event", "reason") if key in state})
            access_log.info("request", extra=line)

    async def _hit(self, path: str, client: str) -> int:
        limit = self._limits.get(path)
        if self._limiter is None or limit is None:
            return 0
        return await self._limiter.hit(
            f"{path}|{client}", limit=limit.requests, window_seconds=limit.window_seconds
        )


async def _too_many_requests(send: Send, retry_after: int) -> None:
    error = TooManyRequests(retry_after=retry_after)
    status = status_for(error)
    body = msgspec.json.encode(ErrorResponse(code=status, msg=error.message, data={}))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
