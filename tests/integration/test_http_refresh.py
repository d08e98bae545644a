from typing import Any

import pytest

from bai.domain.entities import UserStatus
from tests.integration.conftest import Api
from tests.support.builders import a_user
from tests.support.databases import memory_only
from tests.support.fakes import FakeWeChatGateway, FixedClock


def test_valid_token_gets_a_new_one_for_the_same_user(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    clock.advance(30)

    response = api.refresh(token)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {}
    assert body["token"] != token
    tokens = api.container.adapters.tokens()
    assert tokens.claimed(body["token"]) == tokens.claimed(token)
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    assert api.profile(body["token"]).status_code == 200


def test_expired_token_and_a_fresh_code_get_a_new_token(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    clock.advance(604800)

    response = api.refresh(
        token, json={"users_wx_code": wechat.login_code("code-2", openid="openid-1")}
    )

    assert response.status_code == 200
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    assert api.profile(response.json()["token"]).status_code == 200


@memory_only
@pytest.mark.parametrize("body", [None, {}, {"users_wx_code": None}, {"users_wx_code": ""}])
def test_no_valid_token_and_no_code_is_401(api: Api, body: dict[str, Any] | None) -> None:
    response = api.refresh("forged.token.value", json=body) if body is not None else api.refresh()

    assert response.status_code == 401


@memory_only
def test_code_refused_by_wechat_is_400(api: Api) -> None:
    response = api.refresh(json={"users_wx_code": "stale-code"})

    assert response.status_code == 400


def test_code_of_nobody_we_know_is_404_and_registers_nobody(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    response = api.refresh(json={"users_wx_code": wechat.login_code("code-1", openid="stranger")})

    assert response.status_code == 404
    assert api.count() == 0


def test_disabled_user_is_401_by_token_and_by_code(api: Api, wechat: FakeWeChatGateway) -> None:
    token = api.seed(a_user(openid="openid-1", status=UserStatus.DISABLED))

    assert api.refresh(token).status_code == 401
    code = wechat.login_code("code-1", openid="openid-1")
    assert api.refresh(token, json={"users_wx_code": code}).status_code == 401


@memory_only
def test_refresh_with_a_non_json_body_is_415_even_with_a_valid_token(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))

    response = api.refresh(
        token, content=b"users_wx_code=x", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415


@memory_only
def test_a_chunked_body_is_read_and_a_body_declared_empty_is_no_body(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    clock.advance(604800)
    code = wechat.login_code("code-2", openid="openid-1")
    chunks = [b'{"users_wx_', b'code": "' + code.encode() + b'"}']

    chunked = api.refresh(token, content=iter(chunks), headers={"Content-Type": "application/json"})
    declared_empty = api.refresh(
        token, content=b"", headers={"Content-Type": "application/json", "Content-Length": "0"}
    )

    assert chunked.status_code == 200
    assert declared_empty.status_code == 401
