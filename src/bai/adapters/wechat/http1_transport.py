"""httpx's transport interface on a small pool of HTTP/1.1 keep-alive connections, for the calls
to WeChat: asyncio protocols (uvloop's in the server), answers parsed by httptools (llhttp, the
parser of Node's HTTP).

why: docs/performance.md#the-wechat-transport

What it promises its caller:
- **A request is sent at most once.** Only a connection that failed to open is reported as
  `httpx.ConnectError` / `httpx.ConnectTimeout` (nothing was sent: the caller may try again);
  anything that goes wrong once the request may have gone out is `httpx.RemoteProtocolError`
  or `httpx.ReadTimeout`, and nothing here sends it again (a login code is single-use).
- **A connection is reused only when it is sure to be clean**: the answer was complete, both
  sides kept the connection alive, nothing arrived after the answer, the caller was not stopped
  mid-call, and it has been idle less than `keepalive_expiry` (WeChat's servers close theirs
  later). A connection with anything to read while idle (the server's close above all) is
  dropped, never written to.
- **Bounds**: `max_connections` open at once (callers wait their turn), an answer of at most
  `max_answer_bytes` (WeChat's are a few hundred bytes), the connect bounded by the request's
  `connect` timeout and the wait for the answer by its `read` timeout when it has them.

Not supported, as WeChat's API needs none of it: HTTP/2, proxies, `HEAD`, `Expect:
100-continue`, upgrades. Request bodies are sent whole, with their length.
"""

import asyncio
import ssl
from collections.abc import Callable
from typing import Final

import httpx

from .http1_connection import Http1Connection, wire_message

MAX_ANSWER_BYTES: Final = 1 << 20
_UNSUPPORTED_METHODS: Final = frozenset({"HEAD", "CONNECT"})


class Http1Transport(httpx.AsyncBaseTransport):
    """See the module's docstring. One per process (the container's singleton); `aclose` closes
    every connection."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        keepalive_expiry: float = 5.0,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._slots = asyncio.Semaphore(max_connections)
        self._keepalive_expiry = keepalive_expiry
        self._max_answer_bytes = max_answer_bytes
        self._ssl_context = ssl_context
        self._idle: dict[tuple[str, str, int], list[Http1Connection]] = {}
        self._open: set[Http1Connection] = set()
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https") or request.method in _UNSUPPORTED_METHODS:
            raise httpx.UnsupportedProtocol(f"{request.method} {url.scheme}: not supported")
        if self._closed:
            raise httpx.ConnectError("the transport is closed", request=request)
        message = wire_message(request, await request.aread())
        port = url.port or (443 if url.scheme == "https" else 80)
        key = (url.scheme, url.host, port)
        timeouts = request.extensions.get("timeout") or {}
        async with self._slots:
            connection = self._idle_connection(key) or await self._connect(
                key, timeouts.get("connect"), request
            )
            try:
                answer = connection.exchange(message)
                read_timeout = timeouts.get("read")
                if read_timeout is None:
                    status, headers, content = await answer
                else:
                    async with asyncio.timeout(read_timeout):
                        status, headers, content = await answer
            except TimeoutError:
                raise httpx.ReadTimeout("WeChat did not answer in time", request=request) from None
            finally:  # closed unless its answer came whole and clean (a stopped call's did not)
                self._park(key, connection)
        return httpx.Response(
            status,
            headers=headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        self._closed = True
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    def _idle_connection(self, key: tuple[str, str, int]) -> Http1Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        oldest_kept = asyncio.get_running_loop().time() - self._keepalive_expiry
        while idle:
            connection = idle.pop()  # the most recently used first
            if connection.idle_since >= oldest_kept and connection.quiet():
                return connection
            self._drop(connection)
        return None

    async def _connect(
        self, key: tuple[str, str, int], within: float | None, request: httpx.Request
    ) -> Http1Connection:
        scheme, host, port = key
        tls = self._tls() if scheme == "https" else None
        protocol: Callable[[], Http1Connection] = lambda: Http1Connection(self._max_answer_bytes)  # noqa: E731
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(within):
                _, connection = await loop.create_connection(
                    protocol, host, port, ssl=tls, server_hostname=host if tls else None
                )
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"no connection to {host} in time", request=request
            ) from None
        except OSError as exc:  # refused, unreachable, no such name, TLS handshake refused
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}", request=request) from exc
        self._open.add(connection)
        return connection

    def _park(self, key: tuple[str, str, int], connection: Http1Connection) -> None:
        if not connection.reusable or self._closed:
            self._drop(connection)
            return
        loop_time = asyncio.get_running_loop().time()
        connection.idle_since = loop_time
        idle = self._idle.setdefault(key, [])
        while idle and idle[0].idle_since < loop_time - self._keepalive_expiry:  # the oldest
            self._drop(idle.pop(0))
        idle.append(connection)

    def _drop(self, connection: Http1Connection) -> None:
        connection.close()
        self._open.discard(connection)

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()  # certifi's roots, as httpx's
        return self._ssl_context


def new_transport() -> httpx.AsyncBaseTransport:
    """One pooled transport for the app's lifetime."""
    return Http1Transport()
