"""A WeChat for the cluster test, run inside its database host: `python -m tests.cluster.wechat
ADDRESS PORT APPID SECRET`. The login code `NAME.ANYTHING` belongs to the openid `NAME`; each code
works once (a second exchange is errcode 40163, as WeChat's); `GET /stats` counts exchanges."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

used: set[str] = set()
exchanges = {"count": 0}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/stats":
            self._send({"exchanges": exchanges["count"]})
            return
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if query.get("appid") != sys.argv[3] or query.get("secret") != sys.argv[4]:
            self._send({"errcode": 40125, "errmsg": "invalid appsecret"})
            return
        code = query.get("js_code", "")
        with lock:
            exchanges["count"] += 1
            spent = code in used
            used.add(code)
        if spent:
            self._send({"errcode": 40163, "errmsg": "code been used"})
        else:
            self._send({"openid": code.split(".")[0], "session_key": "never-logged"})

    def _send(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


if __name__ == "__main__":
    ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
