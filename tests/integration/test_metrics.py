"""`GET /metrics`: who may read it and what it counts, in one process (several: *_served)."""

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from prometheus_client import CONTENT_TYPE_LATEST

from bai.domain.errors import WeChatUnavailable
from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with
from tests.support.concurrent_client import concurrent_client
from tests.support.fakes import TEST_APP, FakeWeChatGateway
from tests.support.scrape import samples, value

LOGIN = "/pb/api/wechat/login"
COUNT = "/pb/api/system/users-count"
REQUESTS = "bai_http_request_duration_seconds_count"  # the histogram's count: requests answered


def app_for(tmp_path: Path, wechat: FakeWeChatGateway | None = None, **env: str) -> Any:
    settings = {"BAI_DATABASE_URL": "memory://", "BAI_TRUSTED_PROXIES": "127.0.0.0/8", **env}
    return create_app(container_with(tmp_path, settings, wechat=wechat))


async def scrape(client: Any, **headers: str) -> str:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    text: str = response.text
    return text


async def scrape_after_logins(app: Any, codes: list[str]) -> str:
    """The scrape after one login with each code, one after the other."""
    async with concurrent_client(app) as client:
        for code in codes:
            await client.post(LOGIN, json={"users_wx_code": code})
        return await scrape(client)


async def test_requests_are_counted_by_route_and_status_with_their_latency(
    tmp_path: Path, wechat: FakeWeChatGateway
) -> None:
    code = wechat.login_code("metrics-code", openid="metrics-user")
    async with concurrent_client(app_for(tmp_path, wechat)) as client:
        for _ in range(3):
            await client.post(COUNT)
        await client.post(LOGIN, json={"users_wx_code": code})
        await client.post(LOGIN, json={})

        text = await scrape(client)

    assert value(text, REQUESTS, method="POST", route=COUNT, status="200") == 3
    assert value(text, REQUESTS, method="POST", route=LOGIN, status="200") == 1
    assert value(text, REQUESTS, method="POST", route=LOGIN, status="400") == 1
    latency = "bai_http_request_duration_seconds"
    assert (
        value(text, f"{latency}_bucket", method="POST", route=COUNT, status="200", le="+Inf") == 3
    )
    assert value(text, f"{latency}_sum", method="POST", route=COUNT, status="200") > 0


async def test_registrations_logins_and_refusals_are_counted(
    tmp_path: Path, wechat: FakeWeChatGateway
) -> None:
    first, again = wechat.login_code("c-1", openid="same"), wechat.login_code("c-2", openid="same")

    text = await scrape_after_logins(app_for(tmp_path, wechat), [first, again, "never-issued"])

    events = "bai_auth_events_total"
    assert value(text, events, event="registered", reason="") == 1
    assert value(text, events, event="logged_in", reason="") == 1
    assert value(text, events, event="refused", reason="LoginCodeRejected") == 1


async def test_wechat_calls_are_counted_by_app_api_and_outcome(
    tmp_path: Path, wechat: FakeWeChatGateway
) -> None:
    good = wechat.login_code("good-code", openid="someone")
    down = wechat.failing_code("down-code", WeChatUnavailable())

    text = await scrape_after_logins(app_for(tmp_path, wechat), [good, down, "unknown-code"])

    calls, app = "bai_wechat_calls_total", TEST_APP  # the app id, never a secret
    assert value(text, calls, app=app, api="jscode2session", outcome="ok") == 1
    assert value(text, calls, app=app, api="jscode2session", outcome="WeChatUnavailable") == 1
    assert value(text, calls, app=app, api="jscode2session", outcome="LoginCodeRejected") == 1
    duration = "bai_wechat_call_duration_seconds_count"
    assert value(text, duration, app=app, api="jscode2session") == 3


async def test_rate_limit_refusals_are_counted_by_route(tmp_path: Path) -> None:
    app = app_for(tmp_path, BAI_RATE_LIMITS="users-count=2/60")
    async with concurrent_client(app) as client:
        statuses = [(await client.post(COUNT)).status_code for _ in range(5)]

        text = await scrape(client)

    assert statuses == [200, 200, 429, 429, 429]
    assert value(text, "bai_rate_limited_requests_total", route="users-count") == 3
    assert value(text, REQUESTS, method="POST", route=COUNT, status="429") == 3


async def test_the_database_pool_is_shown_open_and_in_use(
    tmp_path: Path, postgres_database: str
) -> None:
    app = app_for(tmp_path, BAI_DATABASE_URL=postgres_database, BAI_DATABASE_POOL_SIZE="3")
    async with concurrent_client(app) as client:
        await client.post(COUNT)
        await asyncio.sleep(1.5)  # the pool is sampled every second

        text = await scrape(client)

    assert value(text, "bai_database_pool_connections", state="open") == 3
    assert value(text, "bai_database_pool_connections", state="in_use") == 0


async def test_the_postgresql_pool_opens_as_the_worker_starts(
    tmp_path: Path, postgres_database: str
) -> None:
    app = app_for(tmp_path, BAI_DATABASE_URL=postgres_database, BAI_DATABASE_POOL_SIZE="3")
    async with concurrent_client(app) as client:
        await asyncio.sleep(1.5)  # no request yet: the pool is opened and sampled meanwhile

        text = await scrape(client)

    assert value(text, "bai_database_pool_connections", state="open") == 3


@pytest.mark.parametrize(
    ("env", "headers", "status"),
    [
        ({}, {}, 200),  # default: loopback
        ({}, {"X-Forwarded-For": "198.51.100.7"}, 404),  # a trusted proxy, an outside client
        ({"BAI_METRICS_ALLOW": "198.51.100.0/24"}, {"X-Forwarded-For": "198.51.100.7"}, 200),
        ({"BAI_METRICS_ALLOW": "off"}, {}, 404),
        # Relayed, but BAI cannot tell by whom: never admitted for the proxy's loopback address.
        ({"BAI_TRUSTED_PROXIES": ""}, {"X-Forwarded-For": "198.51.100.7"}, 404),
        ({}, {"Forwarded": "for=198.51.100.7"}, 404),
    ],
)
async def test_only_allowed_clients_may_read_metrics(
    tmp_path: Path, env: dict[str, str], headers: dict[str, str], status: int
) -> None:
    app = app_for(tmp_path, None, **env)
    async with concurrent_client(app) as client:
        response = await client.get("/metrics", headers=headers)

    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == 404
        assert "bai_" not in response.text


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(paths=st.lists(st.text(st.characters(min_codepoint=33, max_codepoint=126)), max_size=8))
@example(paths=["/a:b/c", "/:", "/"])  # a relative "//a:b" would be a host and a port to httpx
def test_nothing_a_client_sends_becomes_a_label(tmp_path: Path, paths: list[str]) -> None:
    async def run() -> str:
        async with concurrent_client(app_for(tmp_path)) as client:
            for path in paths:
                sent = "/" + path.replace("?", "").replace("#", "")
                await client.request("PROPFIND", httpx.URL(f"http://testserver{sent}"))
            return await scrape(client)

    routes = {
        dict(labels)["route"] for name, labels in samples(asyncio.run(run())) if name == REQUESTS
    }
    assert routes <= {"unmatched", "/metrics"}
