"""A fast, stateless stand-in for WeChat's server API, for load tests.

    python scripts/bench/fake_wechat.py PORT APPID

Login code `C` -> openid `o_C`; phone code `pN` -> phone `139` + N (8 digits); every access
token is valid. HTTP/1.1 keep-alive on asyncio streams (uvloop when present).
"""

import asyncio
import json
import sys
from urllib.parse import parse_qs, urlsplit

TOKEN = json.dumps({"access_token": "BENCH-TOKEN", "expires_in": 7200}).encode()


def answer(method: str, target: str, body: bytes, appid: str) -> bytes:
    url = urlsplit(target)
    if url.path == "/sns/jscode2session":
        code = parse_qs(url.query).get("js_code", [""])[0]
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


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, appid: str
) -> None:
    try:
        while head := await reader.readuntil(b"\r\n\r\n"):
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            length = next(
                (
                    int(line.split(":", 1)[1])
                    for line in lines
                    if line.lower().startswith("content-length:")
                ),
                0,
            )
            body = await reader.readexactly(length) if length else b""
            payload = answer(method, target, body, appid)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
                % (len(payload), payload)
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int, appid: str) -> None:
    server = await asyncio.start_server(
        lambda r, w: serve_connection(r, w, appid), "127.0.0.1", port, backlog=1024
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    import uvloop

    uvloop.run(main(int(sys.argv[1]), sys.argv[2]))
