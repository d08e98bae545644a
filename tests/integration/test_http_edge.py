"""Request ids, client addresses, rate limits, access log and auth events."""

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bai.domain.errors import WeChatUnavailable
from bai.entrypoints.http.app import create_app
from bai.entrypoints.http.route_table import HEALTH, ROUTE_OPTION, ROUTES, Limit
from bai.entrypoints.observability.logs import JsonFormatter
from tests.integration.conftest import AVATAR
from tests.support.apps import container_with
from tests.support.concurrent_client import concurrent_client
from tests.support.contract import assert_contract
from tests.support.fakes import FakeWeChatGateway, FixedClock

COUNT = "/pb/api/system/users-count"
Client = Callable[..., Any]


def app_for(
    tmp_path: Path,
    wechat: FakeWeChatGateway | None = None,
    clock: FixedClock | None = None,
    **env: str,
) -> Any:
    settings = {
        "BAI_DATABASE_URL": "memory://",
        "BAI_TRUSTED_PROXIES": "127.0.0.0/8",
        "BAI_RATE_LIMITS": "users-count=3/60",
        **env,
    }
    return create_app(container_with(tmp_path, settings, wechat=wechat, clock=clock))


@pytest.fixture
def app(tmp_path: Path, wechat: FakeWeChatGateway) -> Any:
    return app_for(tmp_path, wechat)


async def test_a_given_request_id_is_echoed(app: Any) -> None:
    async with concurrent_client(app) as client:
        response = await client.post(COUNT, headers={"X-Request-ID": "abc-123.XYZ_9"})

        assert response.headers["x-request-id"] == "abc-123.XYZ_9"


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 129, "semi;colon", "ünïcode"])
async def test_a_missing_or_odd_request_id_is_replaced(app: Any, given: str | None) -> None:
    async with concurrent_client(app) as client:
        headers = {b"X-Request-ID": given.encode()} if given is not None else {}

        response = await client.post(COUNT, headers=headers)

        assert len(response.headers["x-request-id"]) == 32
        assert response.headers["x-request-id"] != given


async def test_even_unknown_routes_get_a_request_id(app: Any) -> None:
    async with concurrent_client(app) as client:
        response = await client.get("/nowhere")

        assert response.status_code == 404
        assert response.headers["x-request-id"]


async def test_over_the_limit_is_429_with_retry_after_in_the_envelope(
    app: Any,
) -> None:
    async with concurrent_client(app) as client:
        statuses = [(await client.post(COUNT)).status_code for _ in range(3)]
        limited = await client.post(COUNT)

        assert statuses == [200, 200, 200]
        assert limited.status_code == 429
        assert assert_contract(limited)["msg"] == "请求过于频繁,请稍后再试"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-request-id"]


async def test_limits_are_per_route(app: Any) -> None:
    async with concurrent_client(app) as client:
        for _ in range(4):
            await client.post(COUNT)

        assert (await client.get("/pb/api/health")).status_code == 200
        assert (
            await client.post("/pb/api/wechat/login", json={"users_wx_code": "x"})
        ).status_code == 401


async def test_clients_behind_our_proxy_are_limited_apart(app: Any) -> None:
    async with concurrent_client(app) as client:
        for _ in range(4):
            await client.post(COUNT, headers={"X-Forwarded-For": "198.51.100.1"})

        other = await client.post(COUNT, headers={"X-Forwarded-For": "198.51.100.2"})

        assert other.status_code == 200


@pytest.mark.parametrize(
    ("one", "other"),
    [("198.51.100.1:5555", "198.51.100.2:5555"), ("[2001:db8::1]:443", "[2001:db9::1]:443")],
)
async def test_clients_our_proxy_writes_with_a_port_are_limited_apart(
    app: Any, one: str, other: str
) -> None:
    async with concurrent_client(app) as client:
        for _ in range(4):
            await client.post(COUNT, headers={"X-Forwarded-For": one})

        answer = await client.post(COUNT, headers={"X-Forwarded-For": other})

        assert answer.status_code == 200


async def test_a_client_cannot_dodge_the_limit_with_its_own_forwarded_header(
    tmp_path: Path,
) -> None:
    async with concurrent_client(app_for(tmp_path, BAI_TRUSTED_PROXIES="")) as client:
        statuses = [
            (await client.post(COUNT, headers={"X-Forwarded-For": f"203.0.113.{n}"})).status_code
            for n in range(5)
        ]

    assert statuses[-1] == 429


async def test_rate_limit_off_never_limits(tmp_path: Path) -> None:
    async with concurrent_client(app_for(tmp_path, BAI_RATE_LIMIT="off")) as client:
        statuses = {(await client.post(COUNT)).status_code for _ in range(10)}

    assert statuses == {200}


async def test_processes_sharing_redis_share_the_limit(tmp_path: Path, redis_url: str) -> None:
    forwarded = {"X-Forwarded-For": f"192.0.2.{id(tmp_path) % 250}"}
    first, second = (
        app_for(tmp_path, BAI_REDIS_URL=redis_url),
        app_for(tmp_path, BAI_REDIS_URL=redis_url),
    )
    async with concurrent_client(first) as one, concurrent_client(second) as other:
        await one.post(COUNT, headers=forwarded)
        await other.post(COUNT, headers=forwarded)
        await one.post(COUNT, headers=forwarded)
        limited = await other.post(COUNT, headers=forwarded)

    assert limited.status_code == 429


SPELLINGS = [
    "/pb/api/system/users-count/",
    "//pb/api/system/users-count",
    "/pb/api/system//users-count",
    "/pb/api/system%2fusers-count",
    "/pb/api/system%2Fusers-count/",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
async def test_every_spelling_of_a_route_counts_against_its_one_limit(
    app: Any, spelling: str
) -> None:
    async with concurrent_client(app) as client:
        statuses = [
            (await client.post(httpx.URL(f"http://testserver{path}"))).status_code
            for path in [COUNT, spelling, COUNT, spelling]
        ]

    assert statuses == [200, 200, 200, 429]


async def test_unknown_routes_are_404_however_spelled(app: Any) -> None:
    async with concurrent_client(app) as client:
        statuses = {
            (await client.post(httpx.URL(f"http://testserver{path}x"))).status_code
            for path in SPELLINGS
        }

    assert statuses == {404}


async def test_a_forged_first_forwarded_line_does_not_dodge_the_limit(app: Any) -> None:
    async with concurrent_client(app) as client:
        statuses = [
            (
                await client.post(
                    COUNT,
                    headers=[
                        ("X-Forwarded-For", f"203.0.113.{n}"),
                        ("X-Forwarded-For", "198.51.100.9"),
                    ],
                )
            ).status_code
            for n in range(4)
        ]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.parametrize(
    "spellings",
    [
        ["9.9.9.9", "::ffff:9.9.9.9", "::FFFF:9.9.9.9", "9.9.9.9"],
        ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9", "2001:db8:1:2::1"],
        ["9.9.9.9:1024", "9.9.9.9:2048", "[::ffff:9.9.9.9]:80", "9.9.9.9"],
        ["[2001:db8:1:2::1]:80", "[2001:db8:1:2::2]", "2001:db8:1:2::3", "[2001:db8:1:2::1]:81"],
    ],
    ids=["ipv4-mapped", "ipv6-64", "ipv4-with-port", "ipv6-with-port"],
)
async def test_one_client_spelled_many_ways_is_one_client(app: Any, spellings: list[str]) -> None:
    async with concurrent_client(app) as client:
        statuses = [
            (await client.post(COUNT, headers={"X-Forwarded-For": address})).status_code
            for address in spellings
        ]

    assert statuses == [200, 200, 200, 429]


async def test_operators_set_limits_per_route(tmp_path: Path) -> None:
    app = app_for(tmp_path, BAI_RATE_LIMITS="users-count=off,health=2/60,health-live=1/60")
    async with concurrent_client(app) as client:
        counts = {(await client.post(COUNT)).status_code for _ in range(10)}
        health = [(await client.get("/pb/api/health")).status_code for _ in range(3)]
        live = [(await client.get("/pb/api/health/live")).status_code for _ in range(2)]

    assert counts == {200}
    assert health == [200, 200, 429]
    assert live == [200, 429]


async def test_readiness_past_its_default_limit_is_429_and_liveness_is_not_limited(
    tmp_path: Path,
) -> None:
    default = HEALTH.limit
    assert isinstance(default, Limit)
    app = app_for(tmp_path, clock=FixedClock())  # every request in one window
    async with concurrent_client(app) as client:
        ready = [(await client.get("/pb/api/health")).status_code for _ in range(default.requests)]
        refused = await client.get("/pb/api/health")
        others = await client.get("/pb/api/health", headers={"X-Forwarded-For": "198.51.100.7"})
        live = {(await client.get("/pb/api/health/live")).status_code for _ in range(50)}

    assert set(ready) == {200}
    assert refused.status_code == 429
    assert assert_contract(refused)["msg"] == "请求过于频繁,请稍后再试"
    assert refused.headers["retry-after"] == str(default.window_seconds)
    assert others.status_code == 200
    assert live == {200}


def test_the_api_serves_the_route_table_and_labels_requests_with_its_paths(app: Any) -> None:
    litestar = app.app
    while not hasattr(litestar, "routes"):  # inside the edge and the console's gate
        litestar = litestar.app
    served = {
        (handler.opt.get(ROUTE_OPTION), method, route.path)
        for route in litestar.routes
        if route.path.startswith("/pb/api/") and not route.path.startswith("/pb/api/docs")
        for handler in route.route_handlers
        if handler.include_in_schema
        for method in handler.http_methods
    }

    assert served == {(route.name, route.method, route.routed) for route in ROUTES}


async def test_every_request_gets_one_access_log_line(
    app: Any, wechat: FakeWeChatGateway, caplog: pytest.LogCaptureFixture
) -> None:
    async with concurrent_client(app) as client:
        caplog.set_level(logging.INFO, logger="bai.access")
        login = await client.post(
            "/pb/api/wechat/login",
            json={"users_wx_code": wechat.login_code("c1", openid="o1")},
            headers={"X-Forwarded-For": "198.51.100.7", "X-Request-ID": "req-1"},
        )
        await client.get("/nowhere")

        lines = [record.__dict__ for record in caplog.records if record.name == "bai.access"]
        assert [(line["method"], line["route"], line["status"]) for line in lines] == [
            ("POST", "/pb/api/wechat/login", 200),
            ("GET", "/nowhere", 404),
        ]
        assert lines[0]["user_id"] == login.json()["data"]["user"]["pb_id"]
        assert lines[0]["client"] == "198.51.100.7"
        assert lines[0]["request_id"] == "req-1"
        assert lines[0]["duration_ms"] >= 0


async def test_auth_events_ride_on_the_access_line_with_reasons(
    app: Any, wechat: FakeWeChatGateway, caplog: pytest.LogCaptureFixture
) -> None:
    async with concurrent_client(app) as client:
        caplog.set_level(logging.INFO, logger="bai.access")
        token = (
            await client.post(
                "/pb/api/wechat/login", json={"users_wx_code": wechat.login_code("a", openid="o")}
            )
        ).json()["token"]
        await client.post(
            "/pb/api/wechat/login", json={"users_wx_code": wechat.login_code("b", openid="o")}
        )
        await client.post("/pb/api/system/refresh-token", headers={"Authorization": token})
        wechat.phone_code("p", openid="o", phone="13800138000")
        profile = {"users_name": "n", "users_phone_code": "p", "users_picture": AVATAR}
        await client.post("/pb/api/wechat/profile", json=profile, headers={"Authorization": token})
        await client.post("/pb/api/wechat/profile", json=profile)
        await client.post("/pb/api/wechat/login", json={"users_wx_code": "stale"})

        lines = [r.__dict__ for r in caplog.records if r.name == "bai.access"]
        events = [(line["status"], line.get("event"), line.get("reason")) for line in lines]
        assert events == [
            (200, "registered", None),
            (200, "logged_in", None),
            (200, "refreshed", None),
            (200, "profile_updated", None),
            (401, "refused", "InvalidToken"),
            (401, "refused", "LoginCodeRejected"),
        ]
        assert len({line["user_id"] for line in lines[:4]}) == 1
        assert [line["user_id"] for line in lines[4:]] == ["", ""]


def test_json_log_lines_cannot_be_forged() -> None:
    forged = 'x"}\n{"level": "info", "message": "admin logged in"}\u2028\r'
    record = logging.makeLogRecord({"name": "bai.access", "msg": "request", "reason": forged})

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert "\r" not in line
    assert "\u2028" not in line
    assert json.loads(line)["reason"] == forged


class _Lines(logging.Handler):
    """Lines as a server's handler writes them: formatted when logged, in the request's context."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


async def test_every_line_written_while_serving_a_request_carries_its_id(
    app: Any, wechat: FakeWeChatGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bai")
    lines = _Lines()
    logging.getLogger("bai").addHandler(lines)
    try:
        async with concurrent_client(app) as client:
            down = wechat.failing_code("down", WeChatUnavailable())
            await client.post("/pb/api/wechat/login", json={"users_wx_code": down})
            await client.post(COUNT)
    finally:
        logging.getLogger("bai").removeHandler(lines)

    warning, failed_access, count_access = lines.lines
    assert warning["message"] == "request failed: WeChatUnavailable"
    assert warning["request_id"] == failed_access["request_id"]
    assert failed_access["status"] == 500
    assert count_access["request_id"] != warning["request_id"]
