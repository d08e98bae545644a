"""A fast, stateless stand-in for WeChat's server API, for load tests.

    python scripts/bench/fake_wechat.py PORT APPID

Login code `C` or `C.anything` -> openid `o_C`; phone code `pN` -> phone `139` + N (8 digits);
every access token is valid. HTTP/1.1 keep-alive on an asyncio protocol (uvloop when present).
"""

import asyncio
import json
import sys
from urllib.parse import parse_qs, urlsplit

TOKEN = json.dumps({"access_token": "BENCH-TOKEN", "expires_in": 7200}).encode()


def answer(method: str, target: str, body: bytes, appid: str) -> bytes:
    url = urlsplit(target)
    if url.path == "/sns/jscode2session":
        code = parse_qs(url.query).get("js_code", [""])[0].split(".", 1)[0]
        return json.dumps({"openid": f"o_{code}", "session_key": "k"}).encode()
    if url.path == "/cgi-bin/stable_token":
        return TOKEN
    if url.path == "/wxa/business/getuserphonenumber":
        code = json.loads(body or b"{}").get("code", "p0")
        phone = f"139{int(code[1:] or 0):08d}"
        info = {
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"appid": appid},
        }
        return json.dumps({"errcode": 0, "errmsg": "ok", "phone_info": info}).encode()
    return b'{"errcode": 404}'


class FakeWeChatProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive on a bare protocol: the fake shares the machine with what it
    measures, so it should cost as little as it can (asyncio streams cost twice as much)."""

    def __init__(self, appid: str) -> None:
        self._appid = appid
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        replies = []
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head = self._buffer[:end].decode("latin-1")
            length = next(
                (
                    int(line.split(":", 1)[1])
                    for line in head.split("\r\n")
                    if line.lower().startswith("content-length:")
                ),
                0,
            )
            if len(self._buffer) < end + 4 + length:
                break  # the rest of the body is still on its way
            body = self._buffer[end + 4 : end + 4 + length]
            self._buffer = self._buffer[end + 4 + length :]
            method, target, _ = head.split("\r\n", 1)[0].split(" ", 2)
            payload = answer(method, target, body, self._appid)
            replies.append(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                % (len(payload), payload)
            )
        if replies and self._transport is not None:
            self._transport.write(b"".join(replies))


async def main(port: int, appid: str) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: FakeWeChatProtocol(appid), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(int(sys.argv[1]), sys.argv[2]))
