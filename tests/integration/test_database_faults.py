"""With PostgreSQL away or hanging, every route answers SPEC's 500 promptly; when it is back,
the service recovers by itself."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import TestClient
from sqlalchemy.engine import make_url

from bai.adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from bai.entrypoints.http.app import create_app
from bai.entrypoints.http.edge import Edge
from tests.integration.conftest import AVATAR
from tests.support.apps import container_with
from tests.support.contract import assert_contract
from tests.support.fakes import FakeWeChatGateway
from tests.support.tcp_proxy import TcpProxy

PROMPT_SECONDS = 2.5


@pytest.fixture
def proxy(postgresql_url: str) -> Iterator[TcpProxy]:
    target = make_url(postgresql_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    yield proxy
    proxy.close()


@pytest.fixture(params=["asyncpg", "sqlalchemy"])
def client(
    request: pytest.FixtureRequest,
    postgresql_url: str,
    proxy: TcpProxy,
    tmp_path: Path,
    wechat: FakeWeChatGateway,
) -> Iterator[TestClient[Edge]]:
    through_proxy = make_url(postgresql_url).set(host="127.0.0.1", port=proxy.port)
    url = through_proxy.render_as_string(hide_password=False)
    container = container_with(tmp_path, {"BAI_DATABASE_URL": url}, wechat=wechat)
    if request.param == "sqlalchemy":
        engine = container.adapters.storage().engine
        container.adapters.users.override(providers.Object(SqlAlchemyUserRepository(engine)))
    with TestClient(create_app(container)) as client:
        yield client


def every_route(
    client: TestClient[Edge], wechat: FakeWeChatGateway, token: str, code: str
) -> list[Callable[[], httpx.Response]]:
    """A call of each route; the login is with `code`, which the test issues once per round."""
    code = wechat.login_code(code, openid="openid-1")
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    profile = {"users_name": "n", "users_phone_code": "phone-1", "users_picture": AVATAR}
    return [
        lambda: client.post("/pb/api/wechat/login", json={"users_wx_code": code}),
        lambda: client.post(
            "/pb/api/wechat/profile", json=profile, headers={"Authorization": token}
        ),
        lambda: client.post("/pb/api/system/refresh-token", headers={"Authorization": token}),
        lambda: client.post("/pb/api/system/users-count"),
        lambda: client.get("/pb/api/health"),
    ]


def login(client: TestClient[Edge], wechat: FakeWeChatGateway) -> str:
    response = client.post(
        "/pb/api/wechat/login", json={"users_wx_code": wechat.login_code("c", openid="openid-1")}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


@pytest.mark.parametrize("failure", ["cut", "stall"])
def test_database_failure_is_a_prompt_500_on_every_route_and_recovery_is_automatic(
    client: TestClient[Edge], proxy: TcpProxy, wechat: FakeWeChatGateway, failure: str
) -> None:
    token = login(client, wechat)
    getattr(proxy, failure)()

    for call in every_route(client, wechat, token, "code-while-down"):
        started = time.monotonic()
        response = call()
        elapsed = time.monotonic() - started
        assert response.status_code == 500, response.text
        assert assert_contract(response)["msg"] == "服务暂时不可用,请稍后重试"
        assert elapsed < PROMPT_SECONDS, f"{response.request.url.path} took {elapsed:.1f}s"

    proxy.restore()
    # A fresh code, as the mini-program fetches for each login: the one sent while the database
    # stalled may have been claimed when the stalled statements arrived, and its claim lapses
    # only after the ledger's claim time.
    for call in every_route(client, wechat, token, "code-after-recovery"):
        assert call().status_code == 200
