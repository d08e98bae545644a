"""One HTTP/1.1 connection to WeChat for `http1_transport`: a request written whole, its
answer read by httptools (llhttp), and whether the connection can serve another."""

import asyncio
import select
from typing import Final

import httptools
import httpx

_FRAMING: Final = frozenset({b"content-length", b"transfer-encoding"})
_READABLE: Final = select.POLLIN | select.POLLPRI | getattr(select, "POLLRDHUP", 0)

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class Http1Connection(asyncio.Protocol):
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
        self._eof = False  # the server closed in order (TCP's FIN; TLS's close_notify)

    def exchange(self, message: bytes) -> "asyncio.Future[Answer]":
        """Write `message` and return the future of its answer."""
        assert self._transport is not None  # noqa: S101 (connected before its first exchange)
        self.reusable = False
        self._received = 0
        self._status, self._headers, self._body, self._framed = 0, [], [], False
        self._answer = self._loop.create_future()
        if self.closed:  # closed since it was chosen: nothing is written
            self._answer.set_exception(httpx.RemoteProtocolError("the connection closed"))
        else:
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
        self._eof = self.closed = True
        self.reusable = False
        return False  # close our side too; connection_lost ends the exchange

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        answer = self._answer
        if answer is None or answer.done():
            return
        if self._status and not self._framed and exc is None and self._eof:
            # an answer whose end is the connection's close, closed in order (not cut off)
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


def wire_message(request: httpx.Request, content: bytes) -> bytes:
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
