"""The envelope holds for what the framework answers on its own, too. None of it depends on the
store: on memory only."""

import logging

import pytest
from dependency_injector import providers

from bai.domain.values import LoginCode, WeChatIdentity
from bai.entrypoints.container import Container
from tests.integration.conftest import Api, api_of
from tests.support.contract import assert_contract
from tests.support.databases import memory_only
from tests.support.fakes import TEST_APP, FakeWeChatGateway

pytestmark = memory_only


@pytest.mark.parametrize(
    "path", ["/pb/api/nope", "/pb/api/wechat", "/pb/api/wechat/login/extra", "/", "/pb/api"]
)
def test_unknown_routes_are_404_in_the_envelope(api: Api, path: str) -> None:
    response = api.client.get(path)

    assert response.status_code == 404
    assert assert_contract(response)["msg"] == "请求的接口不存在"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/pb/api/wechat/login"),
        ("PUT", "/pb/api/wechat/profile"),
        ("DELETE", "/pb/api/system/users-count"),
        ("POST", "/pb/api/health"),
    ],
)
def test_wrong_methods_are_405_in_the_envelope(api: Api, method: str, path: str) -> None:
    response = api.client.request(method, path)

    assert response.status_code == 405
    assert_contract(response)


@pytest.mark.parametrize("path", ["/wechat/login", "/wechat/profile", "/system/refresh-token"])
def test_bodies_over_64_kib_are_413(api: Api, wechat: FakeWeChatGateway, path: str) -> None:
    body = b'{"users_wx_code": "' + b"a" * (64 * 1024) + b'"}'

    response = api.post(path, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 413
    assert wechat.calls == 0


def test_a_body_just_under_the_limit_is_read(api: Api) -> None:
    padding = "x" * (64 * 1024 - 100)
    response = api.post("/wechat/login", json={"users_wx_code": "stale", "padding": padding})

    assert response.status_code == 401


class ExplodingWeChat(FakeWeChatGateway):
    """Fails the way a careless library does: with the secret and the code in its message."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    async def code_to_session(self, code: LoginCode, *, app: str = TEST_APP) -> WeChatIdentity:
        raise RuntimeError("driver failed with secret=" + self.secret + " code=" + code.value)


def test_unexpected_failures_are_a_bare_500_that_leaks_nothing(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    container.adapters.wechat.override(providers.Object(ExplodingWeChat("s3cr3t-value")))
    caplog.set_level(logging.DEBUG)

    with api_of(container) as api:
        response = api.login("the-code-123")

    assert response.status_code == 500
    assert response.json() == {"code": 500, "msg": "服务器内部错误,请稍后重试", "data": {}}
    assert "RuntimeError" in caplog.text
    assert "s3cr3t-value" not in caplog.text
    assert "the-code-123" not in caplog.text
    assert "s3cr3t-value" not in response.text
