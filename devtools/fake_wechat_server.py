"""A real HTTP server on loopback that behaves like WeChat's server API, with fault modes."""

import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeWeChat:
    """WeChat's state. Login and phone codes are single-use, as WeChat's are, and bound to the
    app that minted them: exchanged with another app's credentials they are refused (40029).
    `appid`/`secret` is the first app; `others` holds more (app id -> secret). Each app has its
    own openids; a code's unionid is given in every app except the `unbound` ones."""

    appid: str = "wx-fake-app"
    secret: str = field(default_factory=lambda: f"app-secret-{secrets.token_hex(8)}")
    others: dict[str, str] = field(default_factory=dict)
    unbound: set[str] = field(default_factory=set)
    logins: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    phones: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    errcodes: dict[str, int] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    issued_tokens: list[str] = field(default_factory=list)
    session_keys: list[str] = field(default_factory=list)
    force_refreshes: int = 0
    login_asked: threading.Event = field(default_factory=threading.Event)  # a code has come in
    delay: float = 0.0
    fault: str = ""
    text_plain: bool = True
    _valid_tokens: dict[str, str] = field(default_factory=dict)  # token -> its app
    _used: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def login_code(self, code: str, openid: str, unionid: str = "", *, app: str = "") -> str:
        self.logins[code] = (openid, unionid, app or self.appid)
        return code

    def phone_code(self, code: str, *, openid: str, phone: str, app: str = "") -> str:
        self.phones[code] = (openid, phone, app or self.appid)
        return code

    def add_app(self, appid: str, *, bound: bool = True) -> str:
        """Another mini-program; its secret."""
        secret = self.others[appid] = f"app-secret-{secrets.token_hex(8)}"
        if not bound:
            self.unbound.add(appid)
        return secret

    def _known(self, appid: object, secret: object) -> bool:
        apps = {self.appid: self.secret, **self.others}
        return isinstance(appid, str) and appid in apps and apps[appid] == secret

    def expire_tokens(self) -> None:
        with self._lock:
            self._valid_tokens.clear()

    def answer(self, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        with self._lock:
            self.calls[path] += 1
        if path == "/sns/jscode2session":
            self.login_asked.set()
        if self.delay:
            time.sleep(self.delay)
        if self.fault == "http500":
            return 500, {"errmsg": "internal error"}
        if self.fault == "not-json":
            return 200, b"<html>502 Bad Gateway</html>"
        if self.fault == "busy":
            return 200, {"errcode": -1, "errmsg": "system error"}
        if self.fault == "deep":
            return 200, b'{"openid": "o", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        route = {
            "/cgi-bin/stable_token": self._stable_token,
            "/sns/jscode2session": self._session,
            "/wxa/business/getuserphonenumber": self._phone,
        }.get(path)
        return (404, {"errcode": 404}) if route is None else (200, route(query, body))

    def _stable_token(self, _: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if body.get("appid") not in {self.appid, *self.others}:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if not self._known(body.get("appid"), body.get("secret")):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.force_refreshes += bool(body.get("force_refresh"))
        token = f"ACCESS-TOKEN-{secrets.token_hex(12)}"
        with self._lock:
            self.issued_tokens.append(token)
            self._valid_tokens[token] = str(body["appid"])
        return {"access_token": token, "expires_in": 7200}

    def _use(self, code: str) -> int:
        with self._lock:
            if code in self.errcodes:
                return self.errcodes[code]
            if code in self._used:
                return 40163
            self._used.add(code)
            return 0

    def _session(self, query: dict[str, str], _: dict[str, Any]) -> dict[str, Any]:
        app = query.get("appid")
        if not self._known(app, query.get("secret")):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        code = query.get("js_code", "")
        minted_by = self.logins.get(code, ("", "", app))[2]
        if (code not in self.logins and code not in self.errcodes) or minted_by != app:
            return {"errcode": 40029, "errmsg": "invalid code"}
        if errcode := self._use(code):
            return {"errcode": errcode, "errmsg": "code refused"}
        openid, unionid, _minted = self.logins[code]
        if app in self.unbound:
            unionid = ""
        session_key = f"SESSION-KEY-{secrets.token_hex(8)}"
        self.session_keys.append(session_key)
        return {
            "openid": openid,
            "session_key": session_key,
            **({"unionid": unionid} if unionid else {}),
        }

    def _phone(self, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        token = query.get("access_token", "")
        if token not in self._valid_tokens:
            return {
                "errcode": 42001 if token in self.issued_tokens else 40001,
                "errmsg": "access_token expired",
            }
        app = self._valid_tokens[token]
        code = str(body.get("code", ""))
        if code not in self.phones and code not in self.errcodes:
            return {"errcode": 40029, "errmsg": "invalid code"}
        owner, phone, minted_by = self.phones.get(code, ("", "", app))
        if minted_by != app:
            return {"errcode": 40029, "errmsg": "invalid code"}
        if owner != body.get("openid") and code not in self.errcodes:
            return {"errcode": 40029, "errmsg": "code of another user"}
        if errcode := self._use(code):
            return {"errcode": errcode, "errmsg": "code refused"}
        info = {"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86"}
        return {
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {**info, "watermark": {"timestamp": 1, "appid": app}},
        }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wechat: FakeWeChat

    def _respond(self) -> None:
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        status, payload = self.wechat.answer(url.path, query, body)
        if self.wechat.fault == "hangup":  # read the request, then drop the connection
            self.close_connection = True
            return
        content = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        content_type = "text/plain" if self.wechat.text_plain else "application/json"
        self.send_header(
            "Content-Type", "text/html" if isinstance(payload, bytes) else content_type
        )
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _respond  # noqa: N815 - the names http.server calls

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the app's logs, not the fake's."""


class FakeWeChatServer:
    """Serves a `FakeWeChat` on 127.0.0.1 in a thread; `stop()` makes it unreachable."""

    def __init__(self, wechat: FakeWeChat) -> None:
        handler = type("Handler", (_Handler,), {"wechat": wechat})
        self.wechat = wechat
        self._server = _Server(("127.0.0.1", 0), handler)

        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # `stop()` waits for the loop's next look at its flag: every 0.05 s, not serve_forever's
        # default 0.5 s (half a second at the end of each test that has a fake).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
