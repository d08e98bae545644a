"""The load tests' fake WeChat (scripts/bench/fake_wechat.py) answers what BAI asks, however
the bytes arrive: pipelined requests, bodies split across packets."""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.tcp_proxy import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "fake_wechat.py"


@pytest.fixture
def fake_port() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen([sys.executable, str(SCRIPT), str(port), "wx-bench"])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def read_replies(connection: socket.socket, count: int) -> list[dict[str, Any]]:
    data, replies = b"", list[dict[str, Any]]()
    while len(replies) < count:
        data += connection.recv(65536)
        while (end := data.find(b"\r\n\r\n")) >= 0:
            length = int(data[:end].split(b"Content-Length: ")[1].split(b"\r\n")[0])
            if len(data) < end + 4 + length:
                break
            replies.append(json.loads(data[end + 4 : end + 4 + length]))
            data = data[end + 4 + length :]
    return replies


def test_pipelined_and_split_requests_get_their_answers_in_order(fake_port: int) -> None:
    body = json.dumps({"code": "p42"}).encode()
    phone = (
        b"POST /wxa/business/getuserphonenumber?access_token=T HTTP/1.1\r\nHost: x\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    session = b"GET /sns/jscode2session?appid=wx&js_code=u7 HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection(("127.0.0.1", fake_port), timeout=5) as connection:
        connection.sendall(session + phone[:-5])
        time.sleep(0.05)
        connection.sendall(phone[-5:] + session.replace(b"js_code=u7", b"js_code=u7.2.9"))

        first, second, third = read_replies(connection, 3)

    assert first == {"openid": "o_u7", "session_key": "k"}
    assert second["phone_info"]["purePhoneNumber"] == "13900000042"
    assert third == first  # `u7.anything` is another code of the same user
