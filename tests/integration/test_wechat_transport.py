"""The WeChat transport (`Http1Transport`) against a real HTTP server on loopback that answers
as scripted: framing, keep-alive, what is never sent twice, bounds, TLS."""

import asyncio
import datetime
import ipaddress
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.adapters.wechat.http1_transport import Http1Transport
from tests.support.tcp_proxy import free_port

BODY = b'{"openid":"o_1","session_key":"k"}'
CLOSE = b"(the server closes the connection)"
RESET = b"(the server resets the connection)"
Reply = Callable[[bytes], list[bytes] | None]


def framed(body: bytes = BODY, *, extra: bytes = b"") -> list[bytes]:
    return [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)]


class ScriptedServer:
    """Reads each request whole and writes what `reply` returns for it (chunk by chunk), or
    hangs up when it returns None; counts connections and requests."""

    def __init__(self) -> None:
        self.reply: Reply = lambda _: framed()
        self.requests: list[bytes] = []
        self.connections = 0
        self.open_now = 0
        self.most_open = 0
        self.closed_by_client = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.port = 0
        self._changed = asyncio.Event()

    async def until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            self._changed.clear()
            await self._changed.wait()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                self._changed.set()
                chunks = self.reply(request)
                if chunks is None:
                    break
                for chunk in chunks:
                    if chunk == CLOSE:
                        break
                    if chunk == RESET:  # cut off: TCP's reset, not an orderly close
                        sock = writer.get_extra_info("socket")
                        sock.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        writer.transport.abort()
                        return
                    if chunk == b"":  # a pause: the client sees the chunks apart
                        await asyncio.sleep(0.01)
                        continue
                    writer.write(chunk)
                    await writer.drain()
                if not chunks or chunks[-1] == CLOSE:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            self.closed_by_client += 1
        finally:
            self.open_now -= 1
            self._changed.set()
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sns/jscode2session?js_code=c"


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    scripted = ScriptedServer()
    listening = await asyncio.start_server(scripted.serve, "127.0.0.1", 0)
    scripted.port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield scripted
        for writer in scripted.writers:
            writer.close()


@pytest.fixture
async def transport() -> AsyncIterator[Http1Transport]:
    transport = Http1Transport()
    yield transport
    await transport.aclose()


async def get(
    transport: httpx.AsyncBaseTransport, url: str, **extensions: object
) -> httpx.Response:
    response = await transport.handle_async_request(
        httpx.Request("GET", url, extensions=extensions)
    )
    await response.aread()
    return response


async def assert_the_next_call_opens_a_new_connection(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: framed()
    assert (await get(transport, server.url)).content == BODY
    assert server.connections == 2


async def test_answers_come_back_whole_and_one_connection_serves_call_after_call(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    answers = [await get(transport, server.url) for _ in range(5)]

    assert [(answer.status_code, answer.content) for answer in answers] == [(200, BODY)] * 5
    assert answers[0].headers["content-length"] == str(len(BODY))
    assert server.connections == 1
    assert len(server.requests) == 5
    assert server.requests[0].startswith(b"GET /sns/jscode2session?js_code=c HTTP/1.1\r\n")
    assert b"\r\nHost: 127.0.0.1:" in server.requests[0]


def chunked(body: bytes, sizes: list[int]) -> bytes:
    parts, rest = [], body
    for size in sizes:
        piece, rest = rest[:size], rest[size:]
        if piece:
            parts.append(b"%x\r\n%s\r\n" % (len(piece), piece))
    if rest:
        parts.append(b"%x\r\n%s\r\n" % (len(rest), rest))
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"".join(parts) + b"0\r\n\r\n"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=3000),
    framing=st.sampled_from(["length", "chunked", "close"]),
    chunk_sizes=st.lists(st.integers(1, 700), max_size=6),
    cuts=st.lists(st.integers(1, 4000), max_size=5),
)
async def test_any_framing_split_anywhere_gives_the_same_answer(
    server: ScriptedServer, body: bytes, framing: str, chunk_sizes: list[int], cuts: list[int]
) -> None:
    if framing == "length":
        wire = framed(body)[0]
    elif framing == "chunked":
        wire = chunked(body, chunk_sizes)
    else:
        wire = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body
    pieces: list[bytes] = []
    start = 0
    for cut in sorted({min(cut, len(wire)) for cut in cuts}):
        pieces += [wire[start:cut], b""]
        start = cut
    pieces.append(wire[start:])
    server.reply = lambda _: [*pieces, CLOSE] if framing == "close" else pieces
    transport = Http1Transport()
    try:
        answer = await get(transport, server.url)
    finally:
        await transport.aclose()

    assert (answer.status_code, answer.content) == (200, body)


async def test_an_interim_answer_is_passed_over(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: [b"HTTP/1.1 100 Continue\r\n\r\n", *framed()]

    assert (await get(transport, server.url)).content == BODY


@pytest.mark.parametrize(
    "reply",
    [
        [*framed(extra=b"Connection: close\r\n")],
        [b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)],
        [framed()[0] + b"HTTP/1.1 200 OK\r\n"],  # more than the one answer
    ],
    ids=["connection close", "HTTP/1.0", "bytes after the answer"],
)
async def test_a_connection_that_is_not_clean_is_not_used_again(
    server: ScriptedServer, transport: Http1Transport, reply: list[bytes]
) -> None:
    server.reply = lambda _: reply

    assert (await get(transport, server.url)).content == BODY
    await assert_the_next_call_opens_a_new_connection(server, transport)


async def test_a_connection_the_server_closed_while_idle_is_never_written_to(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    await get(transport, server.url)
    server.writers[0].close()
    await server.writers[0].wait_closed()  # sent: the transport's loop may not have seen it

    answer = await get(transport, server.url)

    assert answer.content == BODY
    assert (server.connections, len(server.requests)) == (2, 2)


async def test_a_connection_idle_longer_than_its_expiry_is_closed_not_used(
    server: ScriptedServer,
) -> None:
    transport = Http1Transport(keepalive_expiry=0.05)
    try:
        await get(transport, server.url)
        await asyncio.sleep(0.1)
        await get(transport, server.url)
    finally:
        await transport.aclose()

    assert server.connections == 2


async def test_a_request_whose_connection_dropped_after_it_went_out_is_not_sent_again(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: None

    with pytest.raises(httpx.RemoteProtocolError):
        await get(transport, server.url)
    assert len(server.requests) == 1
    server.reply = lambda _: [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", CLOSE]

    with pytest.raises(httpx.RemoteProtocolError):
        await get(transport, server.url)
    assert len(server.requests) == 2


async def test_an_answer_without_a_body_leaves_nothing_for_the_next_request_to_get(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: [b"HTTP/1.1 204 No Content\r\nX-Req: 1\r\n\r\n"]
    assert (await get(transport, server.url)).status_code == 204
    server.reply = lambda _: None  # the next request: the server hangs up without a byte

    with pytest.raises(httpx.RemoteProtocolError):
        await get(transport, server.url)


async def test_an_answer_that_ends_at_the_close_is_refused_when_the_connection_is_cut_off(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: [b'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{"errcode":0,', RESET]

    with pytest.raises(httpx.RemoteProtocolError):
        await get(transport, server.url)


async def test_a_refused_connect_is_a_connect_error_nothing_was_sent(
    transport: Http1Transport,
) -> None:
    with pytest.raises(httpx.ConnectError):
        await get(transport, f"http://127.0.0.1:{free_port()}/sns/jscode2session")


@pytest.mark.parametrize(
    "reply",
    [
        [b"NOT HTTP AT ALL\r\n\r\n"],
        [b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"],
        [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"],
        [b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n"],
        [b"HTTP/1.1 200 OK\r\nContent-Length: 3000000\r\n\r\n", b"x" * (1 << 20), b"x" * 10],
    ],
    ids=["not HTTP", "bad length", "bad chunk", "upgrade", "over a mebibyte"],
)
async def test_a_broken_or_oversized_answer_is_a_protocol_error_and_its_connection_closed(
    server: ScriptedServer, transport: Http1Transport, reply: list[bytes]
) -> None:
    server.reply = lambda _: reply

    with pytest.raises(httpx.RemoteProtocolError):
        await get(transport, server.url)
    await assert_the_next_call_opens_a_new_connection(server, transport)


async def test_no_answer_in_the_read_timeout_is_a_read_timeout_and_the_connection_closed(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: [b"HTTP/1.1 200 OK\r\n", *[b""] * 50, b"Content-Length: 0\r\n\r\n"]

    with pytest.raises(httpx.ReadTimeout):
        await get(transport, server.url, timeout={"read": 0.05})
    await assert_the_next_call_opens_a_new_connection(server, transport)


async def test_a_caller_stopped_mid_call_leaves_no_connection_for_the_next(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    server.reply = lambda _: [b"", *[b""] * 100, *framed()]
    call = asyncio.ensure_future(get(transport, server.url))
    await server.until(lambda: bool(server.requests))
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call

    await assert_the_next_call_opens_a_new_connection(server, transport)


async def test_a_header_or_target_that_would_split_the_request_is_never_sent(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    request = httpx.Request("GET", server.url, headers={"X-Code": "a\r\nX-Injected: 1"})

    with pytest.raises(httpx.LocalProtocolError):
        await transport.handle_async_request(request)
    assert server.requests == []


async def test_a_body_goes_out_with_its_length_even_when_it_came_as_a_stream(
    server: ScriptedServer, transport: Http1Transport
) -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b'{"code":'
        yield b'"p1"}'

    request = httpx.Request("POST", server.url, content=parts())
    response = await transport.handle_async_request(request)
    await response.aread()

    sent = server.requests[0]
    assert sent.endswith(b'\r\n\r\n{"code":"p1"}')
    assert b"Content-Length: 13\r\n" in sent
    assert b"transfer-encoding" not in sent.lower()


async def test_calls_beyond_max_connections_wait_their_turn(server: ScriptedServer) -> None:
    server.reply = lambda _: [b"", b"", *framed()]
    transport = Http1Transport(max_connections=2)
    try:
        answers = await asyncio.gather(*(get(transport, server.url) for _ in range(6)))
    finally:
        await transport.aclose()

    assert [answer.content for answer in answers] == [BODY] * 6
    assert server.most_open == 2


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bai test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


async def test_https_with_a_trusted_certificate_and_not_without(tmp_path: Path) -> None:
    cert_file, key_file = _certificate(tmp_path)
    served = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    served.load_cert_chain(cert_file, key_file)
    scripted = ScriptedServer()
    listening = await asyncio.start_server(scripted.serve, "127.0.0.1", 0, ssl=served)
    port = listening.sockets[0].getsockname()[1]
    url = f"https://127.0.0.1:{port}/sns/jscode2session"
    trusting = Http1Transport(ssl_context=ssl.create_default_context(cafile=str(cert_file)))
    default = Http1Transport()  # certifi's roots: this certificate is not among them
    async with listening:
        try:
            assert (await get(trusting, url)).content == BODY
            with pytest.raises(httpx.ConnectError):
                await get(default, url)
        finally:
            await trusting.aclose()
            await default.aclose()
            for writer in scripted.writers:
                writer.close()

    assert len(scripted.requests) == 1
