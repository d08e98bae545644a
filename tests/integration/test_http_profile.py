from bai.domain.entities import UserStatus
from tests.integration.conftest import AVATAR, Api
from tests.support.builders import a_platform_user, a_user
from tests.support.databases import memory_only
from tests.support.fakes import FakeWeChatGateway, FixedClock


def test_profile_stores_the_verified_phone_and_completes_the_user(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    clock.advance(1.5)

    response = api.profile(token, users_name="  小明 🐼 ")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "update_success"
    user = data["user"]
    assert (user["users_name"], user["users_phone"], user["users_picture"]) == (
        "小明 🐼",
        "13800138000",
        AVATAR,
    )
    assert user["users_phone_masked"] == "138****8000"
    assert user["updated"] == "2026-01-02 03:04:07.178Z" != user["created"]
    relogin = api.login(wechat.login_code("code-2", openid="openid-1")).json()["data"]
    assert relogin["is_info_complete"] is True
    assert relogin["user"]["users_phone"] == "13800138000"


@memory_only
def test_bare_authorization_header_works_as_the_pocketbase_sdk_sends_it(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")

    assert api.profile(token, header="{}").status_code == 200
    assert api.profile(token, header="bearer   {}").status_code == 200


@memory_only
def test_phone_code_refused_by_wechat_is_400(api: Api, wechat: FakeWeChatGateway) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))

    response = api.profile(token, users_phone_code="stale-code")

    assert response.status_code == 400
    assert response.json()["msg"] == "手机号授权已失效,请重新授权"


@memory_only
def test_phone_code_of_another_wechat_user_is_400(api: Api, wechat: FakeWeChatGateway) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    wechat.phone_code("phone-1", openid="openid-2", phone="13800138000")

    assert api.profile(token).status_code == 400


def test_phone_bound_to_another_user_is_400(api: Api, wechat: FakeWeChatGateway) -> None:
    first = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    second = api.token_for(wechat.login_code("code-2", openid="openid-2"))
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    wechat.phone_code("phone-2", openid="openid-2", phone="13800138000")
    assert api.profile(first, users_phone_code="phone-1").status_code == 200

    response = api.profile(second, users_phone_code="phone-2", users_name="李四")

    assert response.status_code == 400
    assert response.json()["msg"] == "该手机号已绑定其他账号"
    unchanged = api.login(wechat.login_code("code-3", openid="openid-2")).json()["data"]["user"]
    assert unchanged["users_name"] == ""


@memory_only
def test_profile_without_a_token_is_401(api: Api, wechat: FakeWeChatGateway) -> None:
    assert api.profile(None).status_code == 401
    assert wechat.calls == 0


@memory_only
def test_profile_with_a_garbage_token_is_401(api: Api) -> None:
    for header in ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "{}"]:
        assert api.profile("x.y.z", header=header).status_code == 401


@memory_only
def test_expired_token_is_401(api: Api, wechat: FakeWeChatGateway, clock: FixedClock) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    clock.advance(604800)

    assert api.profile(token).status_code == 401


def test_token_of_a_user_who_is_gone_is_401(api: Api) -> None:
    token = api.container.adapters.tokens().issue(a_user())

    assert api.profile(token).status_code == 401


def test_disabled_user_is_401(api: Api) -> None:
    token = api.seed(a_user(status=UserStatus.DISABLED))

    response = api.profile(token)

    assert response.status_code == 401
    assert response.json()["msg"] == "账号已被停用"


def test_user_without_openid_is_401(api: Api, wechat: FakeWeChatGateway) -> None:
    token = api.seed(a_platform_user())

    response = api.profile(token)

    assert response.status_code == 401
    assert response.json()["msg"] == "当前账号未绑定微信"
    assert wechat.calls == 0
