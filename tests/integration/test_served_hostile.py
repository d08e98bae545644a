"""What the HTTP layer of a real `bai serve` does with clients that break the protocol or stall:
a 4xx (the server's own or BAI's), a closed connection, never a 500 or an error line."""

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_served import serving

IDLE_SECONDS = 2
LOGIN = b"POST /pb/api/wechat/login HTTP/1.1\r\nHost: bai\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with serving(
        tmp_path_factory.mktemp("served-hostile"),
        BAI_HTTP_IDLE_TIMEOUT=str(IDLE_SECONDS),
        BAI_HTTP_BODY_TIMEOUT=str(IDLE_SECONDS),
    ) as running:
        yield running


def connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=IDLE_SECONDS * 5)


def exchange(base: str, raw: bytes) -> bytes:
    """Send raw bytes, read until the server closes or stops answering."""
    with connect(base) as connection:
        connection.sendall(raw)
        return read_all(connection)


def read_all(connection: socket.socket) -> bytes:
    received = b""
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return received


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def error_lines(log: Path) -> list[str]:
    written = log.read_text().split("\n")[:-1]  # the last line may be still being written
    lines = [json.loads(line) for line in written if line.startswith("{")]
    return [line["message"] for line in lines if line["level"] in {"error", "critical"}]


@pytest.mark.parametrize("size", [b"zz", b"1" * 21, b"-1", b"0x10", b"1 1"])
def test_a_malformed_chunk_size_is_a_400(server: tuple[str, Path], size: bytes) -> None:
    base, log = server
    request = LOGIN + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"

    response = exchange(base, request + size + b'\r\n{"users_wx_code":"a"}\r\n0\r\n\r\n')

    assert 400 <= status_of(response) < 500, response
    assert error_lines(log) == []


def test_a_body_that_trickles_in_is_a_408(server: tuple[str, Path]) -> None:
    base, log = server
    with connect(base) as connection:
        connection.sendall(LOGIN + b"Content-Length: 40\r\n\r\n" + b'{"users_wx_')
        started = time.monotonic()
        response = read_all(connection)

    assert status_of(response) == 408
    assert b'"code":408' in response
    assert time.monotonic() - started < IDLE_SECONDS * 3
    assert error_lines(log) == []


@pytest.mark.parametrize(
    "opening",
    [b"", b"POST /pb/api/system/users-count HTTP/1.1\r\nHost: b"],
    ids=["silent", "slow headers"],
)
def test_a_connection_that_sends_no_whole_request_is_closed(
    server: tuple[str, Path], opening: bytes
) -> None:
    base, _ = server
    with connect(base) as connection:
        connection.sendall(opening)
        started = time.monotonic()
        read_all(connection)

        assert time.monotonic() - started < IDLE_SECONDS * 3


def test_an_idle_keep_alive_connection_is_closed(server: tuple[str, Path]) -> None:
    base, _ = server
    with connect(base) as connection:
        connection.sendall(
            b"POST /pb/api/system/users-count HTTP/1.1\r\nHost: bai\r\nContent-Length: 0\r\n\r\n"
        )
        assert status_of(connection.recv(65536)) == 200
        started = time.monotonic()
        read_all(connection)

        assert time.monotonic() - started < IDLE_SECONDS * 3


@pytest.mark.parametrize(
    "header",
    [
        b"X-Big: " + b"a" * 200_000,
        b"Authorization: Bearer " + b"a." * 50_000,
        b"X-Forwarded-For: " + b"1.1.1.1," * 20_000,
        b"Content-Length: 99999999999999999999999",
        b"Content-Length: -5",
        b"Content-Length: 5\r\nContent-Length: 6",
        b"X-Bad\x00Name: 1",
        b"Host: \xff\xfe",
    ],
    ids=[
        "large header",
        "large token",
        "long forwarded chain",
        "huge length",
        "negative length",
        "two lengths",
        "NUL in name",
        "bytes in host",
    ],
)
def test_odd_headers_are_4xx_or_refused(server: tuple[str, Path], header: bytes) -> None:
    base, log = server

    response = exchange(base, LOGIN + header + b"\r\nConnection: close\r\n\r\n{}")

    assert response == b"" or 400 <= status_of(response) < 500, response[:200]
    assert error_lines(log) == []


@pytest.mark.parametrize(
    "target",
    [
        b"/pb/api/system/users-count?\xff\xfe",
        b"/pb/api/system/users-count\xff",
        "/pb/api/wechat/login?x=中".encode(),
        b"/pb/api/system/users-count?a=%ff%00",
        b"//pb/api/system/users-count/%2e%2e/",
        b"*",
        b"http://other.example/pb/api/system/users-count",
    ],
)
def test_odd_request_targets_are_answered_without_a_500(
    server: tuple[str, Path], target: bytes
) -> None:
    base, log = server
    request = b"POST " + target + b" HTTP/1.1\r\nHost: bai\r\nContent-Length: 0\r\n"

    response = exchange(base, request + b"Connection: close\r\n\r\n")

    assert response == b"" or status_of(response) < 500, response[:200]
    assert error_lines(log) == []
