"""Sessions and sign-out through the HTTP API, on every storage backend: every token names its
session; logout ends one, logout-all every one; the list shows the open ones; renewal stops at
the absolute lifetime; operators' actions end sessions; a mangled `sid` is a 401."""

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.adapters.tokens import compact_hs256
from tests.integration.conftest import Api, api_of
from tests.support.apps import container_with
from tests.support.builders import a_user
from tests.support.databases import memory_only
from tests.support.fakes import FakeWeChatGateway, FixedClock

_codes = iter(range(10**6))


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    return decoded


def signed_in(api: Api, wechat: FakeWeChatGateway, openid: str = "o-1", **headers: str) -> str:
    code = wechat.login_code(f"code-{next(_codes)}", openid=openid)
    response = api.post("/wechat/login", json={"users_wx_code": code}, headers=headers)
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def logout(api: Api, token: str, path: str = "/wechat/logout") -> httpx.Response:
    return api.post(path, headers=bearer(token))


def sessions(api: Api, token: str) -> httpx.Response:
    return api.client.get("/pb/api/wechat/sessions", headers=bearer(token))


def test_every_token_names_its_session(api: Api, wechat: FakeWeChatGateway) -> None:
    login = signed_in(api, wechat)
    renewed = api.refresh(login).json()["token"]
    code = wechat.login_code("by-code", openid="o-1")
    by_code = api.refresh(json={"users_wx_code": code}).json()["token"]

    assert claims(renewed)["sid"] == claims(login)["sid"]
    assert claims(by_code)["sid"] not in {"", claims(login)["sid"]}
    assert list(claims(login)) == ["collectionId", "exp", "id", "refreshable", "sid", "type"]


def test_logout_ends_only_its_session(api: Api, wechat: FakeWeChatGateway) -> None:
    phone, tablet = signed_in(api, wechat), signed_in(api, wechat)

    response = logout(api, phone)

    assert response.status_code == 200
    assert response.json() == {"code": 200, "msg": "操作成功", "data": {"ended": "this"}}
    assert api.profile(phone).status_code == 401
    assert api.refresh(phone).status_code == 401
    code = wechat.login_code("fallback", openid="o-1")
    fallback = api.refresh(phone, json={"users_wx_code": code})
    assert fallback.status_code == 200  # falls back to the code: a new session
    assert sessions(api, tablet).status_code == 200
    assert api.refresh(tablet).status_code == 200


def test_logout_all_ends_every_session(api: Api, wechat: FakeWeChatGateway) -> None:
    phone, tablet = signed_in(api, wechat), signed_in(api, wechat)

    response = logout(api, tablet, "/wechat/logout-all")

    assert response.json()["data"] == {"ended": "all"}
    assert sessions(api, phone).status_code == 401
    assert api.refresh(tablet).status_code == 401


def test_a_token_without_session_logs_out_everything(api: Api, wechat: FakeWeChatGateway) -> None:
    user = a_user(openid="o-legacy")
    legacy = api.seed(user)  # as PocketBase, or BAI before sessions, issued it
    later = signed_in(api, wechat, openid="o-legacy")

    response = logout(api, legacy)

    assert response.json()["data"] == {"ended": "all"}
    assert api.refresh(legacy).status_code == 401
    assert api.refresh(later).status_code == 401


def test_the_list_shows_open_sessions_and_which_is_the_callers(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    first = signed_in(api, wechat, **{"User-Agent": "phone"})
    clock.advance(1)
    second = signed_in(api, wechat, **{"User-Agent": "tablet"})
    clock.advance(1)
    third = signed_in(api, wechat, **{"User-Agent": "laptop"})
    logout(api, third)

    listed = sessions(api, first)

    assert listed.status_code == 200
    rows = listed.json()["data"]["sessions"]
    assert [(row["user_agent"], row["current"]) for row in rows] == [
        ("tablet", False),
        ("phone", True),
    ]
    assert rows[0]["id"] == claims(second)["sid"]
    assert set(rows[0]) == {"id", "app", "created", "renewed", "user_agent", "current"}


@memory_only
def test_the_session_routes_need_a_valid_token(api: Api) -> None:
    for response in [
        api.post("/wechat/logout"),
        api.post("/wechat/logout-all", headers={"Authorization": "Bearer nonsense"}),
        api.client.get("/pb/api/wechat/sessions"),
    ]:
        assert response.status_code == 401
        assert response.json()["code"] == 401


@pytest.fixture
def short_lived(
    tmp_path: Path, database_env: dict[str, str], wechat: FakeWeChatGateway, clock: FixedClock
) -> Iterator[Api]:
    """The API with sessions of two minutes."""
    env = {**database_env, "BAI_SESSION_MAX_AGE": "120"}
    container = container_with(tmp_path, env, wechat=wechat, clock=clock)
    with api_of(container) as api:
        yield api
    container.reset_override()


def test_past_the_absolute_lifetime_renewal_is_refused_and_a_code_begins_anew(
    short_lived: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    api = short_lived
    began = int(clock.now().timestamp())
    token = signed_in(api, wechat)
    clock.advance(100)
    renewed = api.refresh(token).json()["token"]
    clock.advance(21)

    refused = api.refresh(renewed)
    code = wechat.login_code("again", openid="o-1")
    anew = api.refresh(renewed, json={"users_wx_code": code})

    assert claims(token)["exp"] == claims(renewed)["exp"] == began + 120  # capped at its end
    assert refused.status_code == 401
    assert anew.status_code == 200
    assert claims(anew.json()["token"])["sid"] != claims(token)["sid"]


@pytest.mark.parametrize("action", ["disable_user", "revoke_sessions", "delete_user"])
def test_an_operators_action_ends_every_session(
    api: Api, wechat: FakeWeChatGateway, action: str
) -> None:
    token = signed_in(api, wechat)
    pb_id = claims(token)["id"]

    api.client.blocking_portal.call(getattr(api.container.use_cases, action)().execute, pb_id)
    if action == "disable_user":
        api.client.blocking_portal.call(api.container.use_cases.enable_user().execute, pb_id)

    assert api.refresh(token).status_code == 401


@memory_only
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sid=st.one_of(
        st.text(max_size=30), st.integers(), st.none(), st.floats(), st.lists(st.integers())
    )
)
def test_a_forged_or_mangled_sid_is_a_401_never_a_500(
    api: Api, wechat: FakeWeChatGateway, sid: object
) -> None:
    token = signed_in(api, wechat)
    body = claims(token) | {"sid": sid}
    forged = compact_hs256.sign(json.dumps(body).encode(), b"not-the-key")

    for response in [
        api.post("/wechat/logout", headers=bearer(forged)),
        api.client.get("/pb/api/wechat/sessions", headers=bearer(forged)),
        api.profile(forged),
    ]:
        assert response.status_code == 401


@memory_only
def test_the_served_openapi_document_describes_the_session_routes(api: Api) -> None:
    document = api.client.get("/pb/api/openapi.json").json()

    for method, path in [
        ("post", "/pb/api/wechat/logout"),
        ("post", "/pb/api/wechat/logout-all"),
        ("get", "/pb/api/wechat/sessions"),
    ]:
        operation = document["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}]
        assert {"200", "401", "429"} <= set(operation["responses"])


def test_a_user_agent_in_utf_8_is_kept_as_sent(api: Api, wechat: FakeWeChatGateway) -> None:
    agent = "Mozilla/5.0 (华为 Mate 60) MicroMessenger/8.0 😀"
    code = wechat.login_code("code-ua", openid="openid-ua")
    token = api.post(
        "/wechat/login",
        json={"users_wx_code": code},
        headers={"User-Agent": agent.encode()},
    ).json()["token"]

    listed = api.client.get("/pb/api/wechat/sessions", headers={"Authorization": token})

    assert listed.json()["data"]["sessions"][0]["user_agent"] == agent
