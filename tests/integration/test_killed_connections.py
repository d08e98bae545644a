"""PostgreSQL connections killed under BAI while it serves (`pg_terminate_backend`, what a
failover or an operator does): requests answer 200, or the database-down 500 envelope; a read
is tried again on a fresh connection; never an unhandled error."""

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from devtools.postgres import run_sql

from bai.adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from bai.entrypoints.http.app import create_app
from tests.integration.conftest import AVATAR
from tests.support.apps import container_with
from tests.support.builders import a_user
from tests.support.concurrent_client import concurrent_client
from tests.support.contract import assert_contract
from tests.support.fakes import FakeWeChatGateway

ROUNDS = 30
KILL = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
    " WHERE application_name = 'bai' AND datname = current_database()"
)


@pytest.fixture(params=["asyncpg", "sqlalchemy"])
async def client(
    request: pytest.FixtureRequest, postgresql_url: str, tmp_path: Path, wechat: FakeWeChatGateway
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    container = container_with(
        tmp_path, {"BAI_DATABASE_URL": postgresql_url, "BAI_RATE_LIMIT": "off"}, wechat=wechat
    )
    if request.param == "sqlalchemy":
        engine = container.adapters.storage().engine
        container.adapters.users.override(providers.Object(SqlAlchemyUserRepository(engine)))
    async with concurrent_client(create_app(container)) as http:
        yield http, container


async def test_killed_connections_never_give_an_unhandled_error(
    client: tuple[httpx.AsyncClient, Any],
    postgresql_url: str,
    wechat: FakeWeChatGateway,
    caplog: pytest.LogCaptureFixture,
) -> None:
    http, container = client
    users = [a_user() for _ in range(8)]
    for user in users:
        await container.adapters.users().add_if_absent(user)
    tokens = [container.adapters.tokens().issue(user) for user in users]

    def requests(n: int) -> list[Any]:
        user, token = users[n % len(users)], tokens[n % len(tokens)]
        phone = wechat.phone_code(f"p{n}", openid=user.openid, phone=f"1380013{n:04d}")
        login = wechat.login_code(f"c{n}", openid=user.openid if n % 2 else f"new-{n}")
        body = {"users_name": "n", "users_phone_code": phone, "users_picture": AVATAR}
        auth = {"Authorization": token}
        return [
            http.post("/pb/api/system/refresh-token", headers=auth),
            http.post("/pb/api/wechat/login", json={"users_wx_code": login}),
            http.post("/pb/api/wechat/profile", json=body, headers=auth),
            http.post("/pb/api/system/users-count"),
            http.get("/pb/api/health"),
        ]

    responses: list[httpx.Response] = []
    for n in range(ROUNDS):
        batch = asyncio.gather(*requests(n))
        if n % 3 == 0:
            await asyncio.sleep(0.001 * (n % 7))
            await asyncio.to_thread(run_sql, postgresql_url, KILL)
        responses.extend(await batch)

    assert {response.status_code for response in responses} <= {200, 500}
    for response in responses:
        body = assert_contract(response)
        if response.status_code == 500:
            assert body["msg"] == "服务暂时不可用,请稍后重试", body
    assert [r.getMessage()[:300] for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert sum(response.status_code == 200 for response in responses) > len(responses) / 2
