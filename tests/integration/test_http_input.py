"""SPEC's first two status rows: what is not JSON is 415, JSON that breaks the rules is 400.
Either way WeChat is not asked and nothing changes. Each is decided at the edge, before any
store is asked: on memory only."""

from typing import Any

import pytest

from tests.integration.conftest import AVATAR, Api
from tests.support.databases import memory_only
from tests.support.fakes import FakeWeChatGateway

pytestmark = memory_only
ROUTES_WITH_BODIES = ["/wechat/login", "/wechat/profile", "/system/refresh-token"]


@pytest.mark.parametrize("path", ROUTES_WITH_BODIES)
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"users_wx_code=abc", "application/x-www-form-urlencoded"),
        (b'{"users_wx_code": "abc"}', "text/plain"),
        (b'{"users_wx_code": "abc"}', None),
        (b"{not json", "application/json"),
        (b'{"users_wx_code": "abc"', "application/json"),
        (b"\xff\xfe", "application/json; charset=utf-8"),
    ],
)
def test_bodies_that_are_not_json_are_415(
    api: Api, wechat: FakeWeChatGateway, path: str, content: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = api.post(path, content=content, headers=headers)

    assert response.status_code == 415
    assert response.json()["msg"] == "请求体必须是 JSON"
    assert wechat.calls == 0
    assert api.count() == 0


@pytest.mark.parametrize("path", ROUTES_WITH_BODIES)
@pytest.mark.parametrize(
    "body", [b"[]", b'"text"', b"42", b"true", b"null", b'[{"users_wx_code": "a"}]']
)
def test_json_that_is_not_an_object_is_400(
    api: Api, wechat: FakeWeChatGateway, path: str, body: bytes
) -> None:
    response = api.post(path, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["msg"] == "请求体必须是 JSON 对象"
    assert wechat.calls == 0


LOGIN_CODE_PROBLEMS: list[Any] = [
    None,
    42,
    1.5,
    True,
    [],
    {},
    "",
    "a" * 129,
    "código",
    "line\nbreak",
    "tab\t",
]


@pytest.mark.parametrize("value", LOGIN_CODE_PROBLEMS)
def test_login_code_out_of_bounds_is_400_naming_the_field(
    api: Api, wechat: FakeWeChatGateway, value: Any
) -> None:
    response = api.post("/wechat/login", json={"users_wx_code": value})

    assert response.status_code == 400
    assert response.json()["data"]["field"] == "users_wx_code"
    assert wechat.calls == 0
    assert api.count() == 0


def test_login_without_the_code_is_400(api: Api) -> None:
    response = api.post("/wechat/login", json={})

    assert response.status_code == 400
    assert response.json()["data"]["field"] == "users_wx_code"
    assert "users_wx_code" in response.json()["msg"]


def test_login_without_a_body_is_400(api: Api) -> None:
    response = api.post("/wechat/login")

    assert response.status_code == 400


def test_json_media_types_with_parameters_are_json(api: Api, wechat: FakeWeChatGateway) -> None:
    code = wechat.login_code("code-1", openid="openid-1")

    response = api.post(
        "/wechat/login",
        content=f'{{"users_wx_code": "{code}"}}'.encode(),
        headers={"Content-Type": "Application/JSON; charset=UTF-8"},
    )

    assert response.status_code == 200


PROFILE_PROBLEMS: list[tuple[str, Any]] = [
    ("users_name", ""),
    ("users_name", "   "),
    ("users_name", "a" * 33),
    ("users_name", "bad\x00name"),
    ("users_name", "forged\nINFO admin logged in"),
    ("users_name", 7),
    ("users_name", None),
    ("users_phone_code", ""),
    ("users_phone_code", "x" * 129),
    ("users_phone_code", "码"),
    ("users_phone_code", 13800138000),
    ("users_picture", ""),
    ("users_picture", "ftp://example.com/a.png"),
    ("users_picture", "javascript:alert(1)"),
    ("users_picture", "https://example.com/" + "a" * 1010),
    ("users_picture", {"url": AVATAR}),
]


@pytest.mark.parametrize(("field", "value"), PROFILE_PROBLEMS)
def test_profile_fields_out_of_bounds_are_400_and_change_nothing(
    api: Api, wechat: FakeWeChatGateway, field: str, value: Any
) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    calls_before = wechat.calls

    response = api.profile(token, **{field: value})

    assert response.status_code == 400
    assert response.json()["data"]["field"] == field
    assert wechat.calls == calls_before
    user = api.login(wechat.login_code("code-2", openid="openid-1")).json()["data"]["user"]
    assert (user["users_name"], user["users_phone"], user["users_picture"]) == ("", "", "")


@pytest.mark.parametrize("missing", ["users_name", "users_phone_code", "users_picture"])
def test_profile_missing_a_field_is_400(api: Api, wechat: FakeWeChatGateway, missing: str) -> None:
    token = api.token_for(wechat.login_code("code-1", openid="openid-1"))
    body = {"users_name": "张三", "users_phone_code": "phone-1", "users_picture": AVATAR}
    del body[missing]

    response = api.post("/wechat/profile", json=body, headers={"Authorization": token})

    assert response.status_code == 400
    assert response.json()["data"]["field"] == missing


@pytest.mark.parametrize("value", [42, [], {}, "a" * 129, "código"])
def test_refresh_code_of_the_wrong_shape_is_400(api: Api, value: Any) -> None:
    response = api.refresh(json={"users_wx_code": value})

    assert response.status_code == 400
    assert response.json()["data"]["field"] == "users_wx_code"
