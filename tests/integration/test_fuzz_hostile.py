"""Hostile requests, built by Hypothesis and handed to the real ASGI app as a server would hand
them (raw path bytes, raw header bytes, the body in random chunks): every answer is a 4xx or a
success in the `{code, msg, data}` envelope, and nothing is logged at error level."""

import asyncio
import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.entrypoints.http.app import create_app
from bai.entrypoints.http.edge import Edge
from tests.support.apps import SECRET, container_with
from tests.support.builders import a_user
from tests.support.concurrent_client import lifespan
from tests.support.fakes import FakeWeChatGateway, FixedClock
from tests.support.forgery import HEADER, claims_for, sign

ROUTES = [
    "/pb/api/wechat/login",
    "/pb/api/wechat/profile",
    "/pb/api/system/refresh-token",
    "/pb/api/system/users-count",
    "/pb/api/health",
]
Answer = tuple[int, dict[bytes, bytes], bytes]


class Driver:
    """The app on an event loop of its own, for Hypothesis's synchronous examples."""

    def __init__(self, app: Edge) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self._lifespan = lifespan(app)
        self.loop.run_until_complete(self._lifespan.__aenter__())

    def close(self) -> None:
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        self.loop.close()

    def send(
        self, method: str, raw_path: bytes, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
    ) -> Answer:
        return self.loop.run_until_complete(self._send(method, raw_path, headers, chunks))

    async def _send(
        self, method: str, raw_path: bytes, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
    ) -> Answer:
        path, _, query = raw_path.partition(b"?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": unquote(path.decode("latin-1"), encoding="latin-1"),
            "raw_path": path,
            "query_string": query,
            "root_path": "",
            "headers": headers,
            "client": ("203.0.113.7", 40000),
            "server": ("127.0.0.1", 8090),
        }
        incoming = [
            {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
            for n, chunk in enumerate(chunks or [b""])
        ]
        start: dict[str, Any] = {}
        body = bytearray()

        async def receive() -> dict[str, Any]:
            return incoming.pop(0) if incoming else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                body.extend(message.get("body", b""))

        await self.app(scope, receive, send)  # type: ignore[arg-type]
        return start["status"], dict(start.get("headers", [])), bytes(body)


class ErrorLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage()[:500])


@pytest.fixture(params=["memory", "postgresql"])
def driver(
    request: pytest.FixtureRequest, tmp_path: Path, wechat: FakeWeChatGateway
) -> Iterator[Driver]:
    url = "memory://" if request.param == "memory" else request.getfixturevalue("postgresql_url")
    container = container_with(
        tmp_path,
        {"BAI_DATABASE_URL": url, "BAI_RATE_LIMIT": "off", "BAI_TRUSTED_PROXIES": "203.0.113.0/24"},
        wechat=wechat,
    )
    wechat.login_code("known", openid=KNOWN.openid)
    wechat.phone_code("phone", openid=KNOWN.openid, phone="13800138000")
    driver = Driver(create_app(container))
    driver.loop.run_until_complete(container.adapters.users().add_if_absent(KNOWN))
    yield driver
    driver.close()


@pytest.fixture
def error_lines() -> Iterator[list[str]]:
    handler = ErrorLines()
    logging.getLogger().addHandler(handler)
    yield handler.lines
    logging.getLogger().removeHandler(handler)


def assert_answered_well(answer: Answer, method: str) -> None:
    status, headers, body = answer
    assert status < 500, (status, body[:300])
    if method == "HEAD":
        return
    assert headers[b"content-type"].startswith(b"application/json"), headers
    envelope = json.loads(body)
    assert set(envelope) >= {"code", "msg", "data"}, envelope
    assert envelope["code"] == status
    assert isinstance(envelope["msg"], str)
    assert envelope["msg"]


def segment(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
field_names = st.sampled_from(
    ["users_wx_code", "users_phone_code", "users_name", "users_picture", "id", "openid"]
)
json_objects = st.dictionaries(field_names | st.text(max_size=10), json_values, max_size=6)


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    depth = draw(st.integers(1, 20_000))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
    return b'{"users_wx_code":' + opener * depth + b"1" + closer * depth + b"}"


@st.composite
def encoded_text(draw: st.DrawFn) -> bytes:
    text = json.dumps({"users_wx_code": draw(st.text(max_size=30))}, ensure_ascii=False)
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "gbk", "latin-1", "utf-32"]))
    return text.encode(encoding, errors="replace")


codes = (
    st.sampled_from(["known", "phone", ""])
    | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=130)
    | st.text(max_size=140)
)
login_bodies = st.fixed_dictionaries({"users_wx_code": codes | json_values})
profile_bodies = st.fixed_dictionaries(
    {
        "users_name": st.text(max_size=40) | json_values,
        "users_phone_code": codes | json_values,
        "users_picture": st.just("https://x.cn/a.png") | st.text(max_size=60) | json_values,
    }
)
bodies = (
    (login_bodies | profile_bodies).map(msgspec.json.encode)
    | st.binary(max_size=2048)
    | nested()
    | encoded_text()
    | json_objects.map(msgspec.json.encode)
    | json_values.map(msgspec.json.encode)
)
content_types = st.sampled_from(
    [
        b"application/json",
        b"application/json",
        b"application/json",
        b"application/json; charset=utf-8",
        b"application/json; charset=gbk",
        b"application/vnd.api+json",
        b"text/plain",
        b"multipart/form-data; boundary=x",
        b"application/x-www-form-urlencoded",
        b"",
        b";;;=",
    ]
) | st.binary(max_size=40)


@st.composite
def tokens(draw: st.DrawFn) -> bytes:
    """Mostly well-formed tokens of the known user with one to three claims changed or dropped,
    signed with its key or another; then, sometimes, mangled segment by segment."""
    claims: dict[str, Any] = claims_for(KNOWN, FixedClock(), 10**9)
    for name in draw(st.sets(st.sampled_from(sorted(claims)), max_size=3)):
        if draw(st.booleans()):
            del claims[name]
        else:
            claims[name] = draw(json_values | st.sampled_from(["\x00", "a" * 5000, "é" * 15]))
    header = draw(st.just(HEADER) | st.dictionaries(st.text(max_size=5), json_values))
    token = sign(header, claims, draw(st.sampled_from([KNOWN.token_key + SECRET, SECRET])))
    parts = token.encode().split(b".")
    if draw(st.booleans()):
        extra = st.binary(max_size=30).map(segment) | st.binary(max_size=30)
        parts = draw(st.lists(st.sampled_from(parts) | extra, max_size=5))
    scheme = draw(st.sampled_from([b"Bearer ", b"bearer  ", b"", b"Basic ", b"Bearer"]))
    return scheme + b".".join(parts)


@st.composite
def paths(draw: st.DrawFn) -> bytes:
    route = draw(st.sampled_from(ROUTES)).encode()
    if draw(st.booleans()):
        return route
    spelled: bytes = draw(
        st.sampled_from(
            [
                lambda p: p,
                lambda p: p + b"/",
                lambda p: b"/" + p,
                lambda p: p.replace(b"/", b"//"),
                lambda p: p.replace(b"/", b"%2f"),
                lambda p: p.replace(b"/", b"%2F", 2),
                lambda p: p.upper(),
                lambda p: p + b"/..",
                lambda p: p + b"/%00",
                lambda p: p + b"?" + p,
                lambda p: p.replace(b"api", b"api/./"),
            ]
        )
    )(route)
    # Request targets are ASCII: the server answers 400 to any other byte before BAI sees it
    # (test_served_hostile.py checks that).
    tail = st.sampled_from([b"", b"%", b"%zz", b"%ff%fe", b"?%ff=%00", b";x=1"])
    return spelled + draw(tail)


header_names = st.sampled_from(
    [
        b"x-forwarded-for",
        b"x-request-id",
        b"authorization",
        b"content-length",
        b"transfer-encoding",
        b"host",
        b"cookie",
    ]
) | st.binary(min_size=1, max_size=20)
header_values = st.binary(max_size=200).map(lambda v: v.replace(b"\r", b"").replace(b"\n", b""))


KNOWN = a_user(openid="known-openid")
GENUINE = [
    sign(HEADER, claims_for(KNOWN, FixedClock(), 10**9, refreshable=refreshable), key).encode()
    for refreshable in (True, False)
    for key in (KNOWN.token_key + SECRET, SECRET)
]


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, bytes, list[tuple[bytes, bytes]], list[bytes]]:
    path = draw(paths())
    method = "GET" if path.startswith(b"/pb/api/health") else "POST"
    method = draw(st.sampled_from([method] * 12 + ["GET", "PUT", "DELETE", "HEAD"]))
    body = draw(bodies)
    cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
    chunks = [body[start:end] for start, end in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    headers = [(b"content-type", draw(content_types))]
    if draw(st.booleans()):
        headers.append((b"authorization", draw(tokens() | st.sampled_from(GENUINE))))
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    headers += draw(st.lists(st.tuples(header_names, header_values), max_size=4))
    return method, path, headers, chunks


# Examples per backend and run (each a request through the whole app); Hypothesis draws new ones
# every run, so the runs add up. 500 and 300 took 20 s of CI's pytest time; 200 and 100 keep
# every strategy's branches drawn many times over.
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests())
def _hostile_requests(driver: Driver, error_lines: list[str], request: Any) -> None:
    method, path, headers, chunks = request

    answer = driver.send(method, path, headers, chunks)

    assert_answered_well(answer, method)
    assert error_lines == []


def test_hostile_requests_get_4xx_envelopes_and_no_error_lines(
    driver: Driver, error_lines: list[str]
) -> None:
    _hostile_requests(driver, error_lines)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    token=tokens(),
    route=st.sampled_from(["/pb/api/system/refresh-token", "/pb/api/wechat/profile"]),
)
def _hostile_tokens(driver: Driver, error_lines: list[str], token: bytes, route: str) -> None:
    body = b'{"users_name":"n","users_phone_code":"phone","users_picture":"https://x.cn/a.png"}'
    headers = [(b"authorization", token), (b"content-type", b"application/json")]
    headers.append((b"content-length", str(len(body)).encode()))

    answer = driver.send("POST", route.encode(), headers, [body] if "profile" in route else [])

    assert_answered_well(answer, "POST")
    assert answer[0] in {200, 401}
    assert error_lines == []


def test_hostile_tokens_are_401_or_accepted_and_no_error_lines(
    driver: Driver, error_lines: list[str]
) -> None:
    _hostile_tokens(driver, error_lines)
