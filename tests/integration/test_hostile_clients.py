"""SPEC's "Hostile clients": whatever an anonymous client sends gets a 4xx in the envelope,
changes nothing, and leaves no error line in the log. What reaches a store runs on every backend;
what is refused before any store is asked (`memory_only`), on memory."""

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from dependency_injector import providers

from bai.adapters.system.ids import SecretsIdGenerator
from bai.domain.entities import NewUserKeys
from bai.entrypoints.account_actions import account_actions
from bai.entrypoints.container import Container
from tests.integration.conftest import Api, api_of
from tests.support.builders import a_user
from tests.support.databases import memory_only
from tests.support.fakes import FixedClock, GatedWeChatGateway, RepeatingIdGenerator
from tests.support.forgery import HEADER, claims_for, sign

ROUTES_WITH_BODIES = ["/wechat/login", "/wechat/profile", "/system/refresh-token"]
DEEP_JSON = {
    "lists": b'{"users_wx_code":' + b"[" * 10_000 + b"]" * 10_000 + b"}",
    "objects": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
}
NOT_UTF8 = {
    "invalid UTF-8 in a string": (b'{"users_wx_code":"\xff\xfe"}', "application/json"),
    "GBK": ('{"users_wx_code":"中文"}'.encode("gbk"), "application/json; charset=gbk"),
    "declared GBK": (b'{"users_wx_code":"abc"}', "application/json; charset=GBK"),
    "latin-1": (b'{"users_wx_code":"caf\xe9"}', "application/json;charset=iso-8859-1"),
}


@pytest.fixture
def wechat() -> GatedWeChatGateway:
    return GatedWeChatGateway()


def error_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


@memory_only
@pytest.mark.parametrize("path", ROUTES_WITH_BODIES)
@pytest.mark.parametrize("body", DEEP_JSON.values(), ids=DEEP_JSON.keys())
def test_json_nested_thousands_deep_is_415(
    api: Api,
    wechat: GatedWeChatGateway,
    caplog: pytest.LogCaptureFixture,
    path: str,
    body: bytes,
) -> None:
    response = api.post(path, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 415
    assert wechat.calls == 0
    assert api.count() == 0
    assert error_lines(caplog) == []


@memory_only
@pytest.mark.parametrize("path", ROUTES_WITH_BODIES)
@pytest.mark.parametrize("sent", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_bodies_that_are_not_utf8_json_are_415(
    api: Api,
    wechat: GatedWeChatGateway,
    caplog: pytest.LogCaptureFixture,
    path: str,
    sent: tuple[bytes, str],
) -> None:
    body, content_type = sent
    response = api.post(path, content=body, headers={"Content-Type": content_type})

    assert response.status_code == 415
    assert response.json()["msg"] == "请求体必须是 JSON"
    assert wechat.calls == 0
    assert error_lines(caplog) == []


@pytest.mark.parametrize(
    "claimed",
    ["\x00", "abcdefg\x00hijklmn", "a" * 4096, "ABCDEFGHIJKLMNO", "é" * 15, "abc'--", ""],
)
def test_tokens_naming_no_record_id_are_401(
    api: Api, clock: FixedClock, caplog: pytest.LogCaptureFixture, claimed: str
) -> None:
    user = a_user()
    api.seed(user)
    token = sign(
        HEADER, claims_for(user, clock, 3600, id=claimed), user.token_key + api.token_secret
    )

    assert api.profile(token).status_code == 401
    assert api.refresh(token).status_code == 401
    assert error_lines(caplog) == []


@pytest.mark.parametrize("refreshable", [False, None], ids=["false", "missing"])
def test_a_token_that_is_not_refreshable_comes_back_unchanged(
    api: Api, clock: FixedClock, refreshable: bool | None
) -> None:
    user = a_user()
    api.seed(user)
    claims = claims_for(user, clock, 3600, refreshable=refreshable)
    token = sign(HEADER, claims, user.token_key + api.token_secret)

    response = api.refresh(token)

    assert response.status_code == 200
    assert response.json()["token"] == token


def test_a_token_that_is_not_refreshable_still_signs_its_user_in(
    api: Api, clock: FixedClock, wechat: GatedWeChatGateway
) -> None:
    user = a_user()
    api.seed(user)
    token = sign(
        HEADER, claims_for(user, clock, 3600, refreshable=False), user.token_key + api.token_secret
    )
    phone = wechat.phone_code("p", openid=user.openid, phone="13800138000")

    assert api.profile(token, users_phone_code=phone).status_code == 200


def test_a_login_code_renews_even_a_token_that_is_not_refreshable(
    api: Api, clock: FixedClock, wechat: GatedWeChatGateway
) -> None:
    user = a_user()
    api.seed(user)
    token = sign(
        HEADER, claims_for(user, clock, 3600, refreshable=False), user.token_key + api.token_secret
    )
    code = wechat.login_code("c", openid=user.openid)

    renewed = api.refresh(token, json={"users_wx_code": code}).json()["token"]

    assert renewed != token
    assert api.container.adapters.tokens().is_refreshable(renewed)


@pytest.mark.parametrize("action", ["disable", "revoke", "delete"])
def test_a_profile_update_in_flight_when_the_account_is_stopped_writes_nothing(
    api: Api, wechat: GatedWeChatGateway, action: str
) -> None:
    user = a_user()
    token = api.seed(user)
    phone = wechat.phone_code("p", openid=user.openid, phone="13800138000")
    portal = api.client.blocking_portal
    wechat.gate.clear()

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(api.profile, token, users_phone_code=phone)
        assert wechat.asked.wait(10)
        portal.call(account_actions(api.container.use_cases)[action].execute, user.pb_id)
        wechat.gate.set()
        response = pending.result(timeout=10)

    assert response.status_code == 401
    stored = portal.call(api.container.adapters.users().get, user.pb_id)
    assert stored is None or (stored.users_phone, stored.users_name) == ("", "")


@memory_only
@pytest.mark.parametrize(
    "name",
    [
        "\u200b",
        "\ufeff",
        "\u200d",
        "\u202e",
        "\u200b\u200c\u2060",
        " \u200b\u3000",
        "\u3164",
        "\u2800",
    ],
)
def test_a_name_made_only_of_invisible_characters_is_400(
    api: Api, wechat: GatedWeChatGateway, name: str
) -> None:
    user = a_user()
    token = api.seed(user)
    phone = wechat.phone_code("p", openid=user.openid, phone="13800138000")

    response = api.profile(token, users_name=name, users_phone_code=phone)

    assert response.status_code == 400
    assert response.json()["data"]["field"] == "users_name"
    assert wechat.calls == 0
    stored = api.client.blocking_portal.call(api.container.adapters.users().get, user.pb_id)
    assert stored == user


@pytest.mark.parametrize("identifier", ["users_id", "users_promo_code"])
@pytest.mark.parametrize("times", [1, 2])
def test_a_registration_whose_drawn_identifier_is_taken_draws_again(
    container: Container, wechat: GatedWeChatGateway, identifier: str, times: int
) -> None:
    taken = a_user()
    fresh = SecretsIdGenerator().new_user_keys()
    keys = NewUserKeys(
        pb_id=fresh.pb_id,
        token_key=fresh.token_key,
        users_id=taken.users_id if identifier == "users_id" else fresh.users_id,
        users_promo_code=(
            taken.users_promo_code if identifier == "users_promo_code" else fresh.users_promo_code
        ),
    )
    container.adapters.ids.override(providers.Object(RepeatingIdGenerator(keys, times=times)))

    with api_of(container) as api:
        api.seed(taken)
        response = api.login(wechat.login_code("c", openid="newcomer"))
        count = api.count()

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "register_success"
    assert response.json()["data"]["user"][identifier] != getattr(taken, identifier)
    assert count == 2
