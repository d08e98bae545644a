import pytest

from bai.domain.entities import UserStatus
from bai.domain.errors import WeChatMisconfigured, WeChatQuotaExceeded, WeChatUnavailable
from tests.integration.conftest import Api
from tests.support.builders import a_user
from tests.support.databases import memory_only
from tests.support.fakes import FakeWeChatGateway


def test_first_login_registers_and_returns_a_token(api: Api, wechat: FakeWeChatGateway) -> None:
    response = api.login(wechat.login_code("code-1", openid="openid-1", unionid="union-1"))

    assert response.status_code == 200
    body = response.json()
    assert body["msg"] == "操作成功"
    assert body["data"]["status"] == "register_success"
    assert body["data"]["is_info_complete"] is False
    user = body["data"]["user"]
    assert user["openid"] == "openid-1"
    assert (user["users_idtype"], user["users_status"]) == ("WeChat", "active")
    assert (user["users_rank_level"], user["users_auth_type"], user["users_phone"]) == (0, 0, "")
    assert user["company"] is None
    assert user["created"] == "2026-01-02 03:04:05.678Z"
    assert "token_key" not in user
    assert "unionid" not in user
    assert body["token"].count(".") == 2


def test_second_login_finds_the_same_user(api: Api, wechat: FakeWeChatGateway) -> None:
    first = api.login(wechat.login_code("code-1", openid="openid-1")).json()

    second = api.login(wechat.login_code("code-2", openid="openid-1")).json()

    assert second["data"]["status"] == "login_success"
    assert second["data"]["user"]["pb_id"] == first["data"]["user"]["pb_id"]
    assert api.count() == 1


def test_disabled_user_cannot_log_in(api: Api, wechat: FakeWeChatGateway) -> None:
    api.seed(a_user(openid="openid-1", status=UserStatus.DISABLED))

    response = api.login(wechat.login_code("code-1", openid="openid-1"))

    assert response.status_code == 401
    assert response.json()["msg"] == "账号已被停用"
    assert "token" not in response.json()


def test_rejected_code_is_401_and_registers_nobody(api: Api) -> None:
    response = api.login("expired-code")

    assert response.status_code == 401
    assert api.count() == 0


@memory_only
@pytest.mark.parametrize(
    ("error", "status"),
    [(WeChatQuotaExceeded(), 429), (WeChatUnavailable(), 500), (WeChatMisconfigured(), 500)],
)
def test_wechat_failures_have_specs_status(
    api: Api, wechat: FakeWeChatGateway, error: Exception, status: int
) -> None:
    response = api.login(wechat.failing_code("code-1", error))

    assert response.status_code == status
    assert api.count() == 0


@memory_only
def test_quota_answers_with_retry_after(api: Api, wechat: FakeWeChatGateway) -> None:
    response = api.login(wechat.failing_code("code-1", WeChatQuotaExceeded()))

    assert int(response.headers["retry-after"]) > 0


@memory_only
def test_outage_is_marked_retryable(api: Api, wechat: FakeWeChatGateway) -> None:
    response = api.login(wechat.failing_code("code-1", WeChatUnavailable()))

    assert response.json()["data"] == {"retryable": True}


@memory_only
def test_misconfiguration_is_not_retryable_and_leaks_nothing(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    response = api.login(wechat.failing_code("code-1", WeChatMisconfigured()))

    assert response.json()["data"] == {}
    assert response.json()["msg"] == "服务配置错误,请联系管理员"


@memory_only
def test_unknown_fields_are_ignored(api: Api, wechat: FakeWeChatGateway) -> None:
    body = {
        "users_wx_code": wechat.login_code("code-1", openid="openid-1"),
        "openid": "x",
        "pb_id": "y",
    }

    response = api.post("/wechat/login", json=body)

    assert response.status_code == 200
    assert response.json()["data"]["user"]["openid"] == "openid-1"
