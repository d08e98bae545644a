from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from devtools.fake_wechat_server import FakeWeChat, FakeWeChatServer
from litestar.testing import TestClient

from bai.domain.entities import User
from bai.entrypoints.container import Container
from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with
from tests.support.contract import assert_contract
from tests.support.fakes import FakeWeChatGateway, FixedClock

AVATAR = "https://cdn.example.com/avatar.png"


class Api:
    """The mini-program's view of the API: every answer is checked against the contract."""

    def __init__(self, client: TestClient[Any], container: Container) -> None:
        self.client = client
        self.container = container

    @property
    def token_secret(self) -> str:
        """The collection secret the app signs with (PocketBase's own, beside PocketBase)."""
        secret: str = self.container.adapters.signing().secret
        return secret

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        response = self.client.post(f"/pb/api{path}", **kwargs)
        assert_contract(response)
        return response

    def login(self, code: str) -> httpx.Response:
        return self.post("/wechat/login", json={"users_wx_code": code})

    def token_for(self, code: str) -> str:
        response = self.login(code)
        assert response.status_code == 200, response.text
        token: str = response.json()["token"]
        return token

    def profile(
        self, token: str | None, *, header: str = "Bearer {}", **body: Any
    ) -> httpx.Response:
        fields = {
            "users_name": "张三",
            "users_phone_code": "phone-1",
            "users_picture": AVATAR,
        } | body
        headers = {"Authorization": header.format(token)} if token is not None else {}
        return self.post("/wechat/profile", json=fields, headers=headers)

    def refresh(
        self, token: str | None = None, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        auth = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.post("/system/refresh-token", headers=auth | (headers or {}), **kwargs)

    def count(self) -> int:
        response = self.post("/system/users-count")
        assert response.status_code == 200
        total: int = response.json()["data"]["total_users"]
        return total

    def seed(self, user: User) -> str:
        """Store a user directly, on the app's own event loop, and return a token for them."""
        self.client.blocking_portal.call(self.container.adapters.users().add_if_absent, user)
        token: str = self.container.adapters.tokens().issue(user)
        return token


@pytest.fixture
def container(
    tmp_path: Path, database_env: dict[str, str], wechat: FakeWeChatGateway, clock: FixedClock
) -> Iterator[Container]:
    container = container_with(tmp_path, database_env, wechat=wechat, clock=clock)
    yield container
    container.reset_override()


@contextmanager
def api_of(container: Container) -> Iterator[Api]:
    """The app of `container`, serving: override its providers before, never after."""
    with TestClient(create_app(container)) as client:
        yield Api(client, container)


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with api_of(container) as api:
        yield api


@pytest.fixture
def fake() -> Iterator[FakeWeChatServer]:
    """A real HTTP server standing in for WeChat."""
    server = FakeWeChatServer(FakeWeChat())
    yield server
    server.stop()
