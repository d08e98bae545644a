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
import select
import ssl
from collections.abc import Callable
from typing import Final

import httptools
import httpx

MAX_ANSWER_BYTES: Final = 1 << 20
_NO_BODY_METHODS: Final = frozenset({"HEAD", "CONNECT"})
_FRAMING: Final = frozenset({b"content-length", b"transfer-encoding"})
_READABLE: Final = select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0)

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: a request written whole, its answer read by llhttp."""

    def __init__(self, max_answer_bytes: int) -> None:
        self._max_answer_bytes = max_answer_bytes
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[Answer] | None = None
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._received = 0
        self._framed = False  # the answer has a length or is chunked (else: ends at close)
        self.reusable = False
        self.closed = False
        self.idle_since = 0.0
        self._fileno = -1

    def exchange(self, message: bytes) -> "asyncio.Future[Answer]":
        """Write `message` and return the future of its answer."""
        assert self._transport is not None  # noqa: S101 (connected before its first exchange)
        self.reusable = False
        self._received = 0
        self._answer = self._loop.create_future()
        self._transport.write(message)
        return self._answer

    def quiet(self) -> bool:
        """Idle and still open: nothing to read, not even the server's close, which the event
        loop may not have handled yet (a busy loop handles it late)."""
        if self.closed or self._fileno < 0:
            return False
        poller = select.poll()
        poller.register(self._fileno, _READABLE)
        return not poller.poll(0)

    def close(self) -> None:
        self.closed = True
        self.reusable = False
        if self._transport is not None:
            self._transport.abort()

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # a stream transport
        sock = transport.get_extra_info("socket")
        self._fileno = sock.fileno() if sock is not None else -1

    def data_received(self, data: bytes) -> None:
        answer = self._answer
        if answer is None or answer.done():  # bytes nobody asked for: the connection is unusable
            self.close()
            return
        self._received += len(data)
        if self._received > self._max_answer_bytes:
            self._fail(httpx.RemoteProtocolError("WeChat's answer is larger than allowed"))
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(httpx.RemoteProtocolError("an upgrade was not asked for"))
        except httptools.HttpParserError as exc:
            self._fail(httpx.RemoteProtocolError(f"malformed answer: {exc}"))

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost ends the exchange

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        answer = self._answer
        if answer is None or answer.done():
            return
        if self._status and not self._framed:  # an answer whose end is the connection's close
            self._complete(reusable=False)
        else:
            answer.set_exception(
                httpx.RemoteProtocolError("the connection closed before the whole answer came")
            )

    # llhttp's callbacks (httptools calls the methods it finds)

    def on_message_begin(self) -> None:
        if self._answer is None or self._answer.done():  # bytes after the answer: unusable
            self.close()
        self._status = 0
        self._headers = []
        self._body = []
        self._framed = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        if name.lower() in _FRAMING:
            self._framed = True

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._status < 200:  # noqa: PLR2004 (an interim answer: the real one follows)
            self._status = 0
            return
        self._complete(reusable=self._parser.should_keep_alive())

    def _complete(self, *, reusable: bool) -> None:
        if self._answer is None or self._answer.done():  # a second answer to one request
            self.close()
            return
        self.reusable = reusable and not self.closed
        self._answer.set_result((self._status, self._headers, b"".join(self._body)))

    def _fail(self, exc: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)
        self.close()


def _message(request: httpx.Request, content: bytes) -> bytes:
    """The request as HTTP/1.1 puts it on the wire (httpx's headers already carry `Host` and
    the body's length). A CR, LF or NUL inside a header or the target is refused, never sent."""
    headers = request.headers.raw
    if "transfer-encoding" in request.headers:  # a streamed body, read whole: send its length
        headers = [(k, v) for k, v in headers if k.lower() not in _FRAMING]
        headers.append((b"Content-Length", str(len(content)).encode()))
    head = b"".join(
        [
            request.method.encode("ascii"),
            b" ",
            request.url.raw_path,
            b" HTTP/1.1\r\n",
            *[b"%s: %s\r\n" % header for header in headers],
            b"\r\n",
        ]
    )
    lines = len(headers) + 2
    if head.count(b"\n") != lines or head.count(b"\r") != lines or b"\0" in head:
        raise httpx.LocalProtocolError("a header or the target holds CR, LF or NUL")
    return head + content


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
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https") or request.method in _NO_BODY_METHODS:
            raise httpx.UnsupportedProtocol(f"{request.method} {url.scheme}: not supported")
        if self._closed:
            raise httpx.ConnectError("the transport is closed", request=request)
        message = _message(request, await request.aread())
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
                connection.close()
                raise httpx.ReadTimeout("WeChat did not answer in time", request=request) from None
            except BaseException:
                connection.close()
                raise
            finally:
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

    def _idle_connection(self, key: tuple[str, str, int]) -> _Connection | None:
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
    ) -> _Connection:
        scheme, host, port = key
        tls = self._tls() if scheme == "https" else None
        protocol: Callable[[], _Connection] = lambda: _Connection(self._max_answer_bytes)  # noqa: E731
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

    def _park(self, key: tuple[str, str, int], connection: _Connection) -> None:
        if not connection.reusable or self._closed:
            self._drop(connection)
            return
        loop_time = asyncio.get_running_loop().time()
        connection.idle_since = loop_time
        idle = self._idle.setdefault(key, [])
        while idle and idle[0].idle_since < loop_time - self._keepalive_expiry:  # the oldest
            self._drop(idle.pop(0))
        idle.append(connection)

    def _drop(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)

    def _tls(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()  # certifi's roots, as httpx's
        return self._ssl_context


def new_transport() -> httpx.AsyncBaseTransport:
    """One pooled transport for the app's lifetime."""
    return Http1Transport()
