"""Several mini-programs on one backend, through the HTTP API, on every storage backend: the
Referer picks the app, one person in two apps is one user, nobody is merged by accident."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bai.domain.entities import UserStatus
from bai.domain.identities import ConflictKind
from tests.integration.conftest import Api
from tests.support.fakes import SECOND_APP, TEST_APP, FakeWeChatGateway

SHOP, CARD = TEST_APP, SECOND_APP


def referer(app: str, version: str = "3") -> dict[str, str]:
    return {"Referer": f"https://servicewechat.com/{app}/{version}/page-frame.html"}


def login(api: Api, code: str, app: str | None = None) -> httpx.Response:
    headers = referer(app) if app is not None else {}
    return api.post("/wechat/login", json={"users_wx_code": code}, headers=headers)


def body(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


def test_the_referer_picks_the_app_and_none_is_the_primary(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    wechat.login_code("c1", openid="o-card", app=CARD)
    wechat.login_code("c2", openid="o-shop", app=SHOP)

    card = body(login(api, "c1", CARD))
    shop = body(login(api, "c2"))

    assert wechat.apps_asked == [CARD, SHOP]
    assert card["data"]["user"]["openid"] == "o-card"  # the asking app's openid
    assert shop["data"]["user"]["openid"] == "o-shop"


def test_an_unknown_app_is_a_400_and_wechat_is_not_asked(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    wechat.login_code("c", openid="o")

    response = login(api, "c", "wx9999999999999999")
    refresh = api.refresh(json={"users_wx_code": "c"}, headers=referer("wx9999999999999999"))

    assert response.status_code == refresh.status_code == 400
    assert response.json()["msg"] == "未知的小程序"
    assert response.json()["data"]["field"] == "Referer"
    assert wechat.calls == 0
    assert api.count() == 0


def test_one_person_in_two_apps_is_one_user(api: Api, wechat: FakeWeChatGateway) -> None:
    first = body(login(api, wechat.login_code("c1", "o-shop", "u-1", app=SHOP), SHOP))

    second = body(login(api, wechat.login_code("c2", "o-card", "u-1", app=CARD), CARD))

    assert first["data"]["status"] == "register_success"
    assert second["data"]["status"] == "login_success"
    assert second["data"]["user"]["pb_id"] == first["data"]["user"]["pb_id"]
    assert api.count() == 1


def test_without_unionid_two_apps_make_two_users(api: Api, wechat: FakeWeChatGateway) -> None:
    body(login(api, wechat.login_code("c1", "o-shop", app=SHOP), SHOP))

    second = body(login(api, wechat.login_code("c2", "o-card", app=CARD), CARD))

    assert second["data"]["status"] == "register_success"
    assert api.count() == 2


def test_a_unionid_given_later_is_kept_and_links_the_next_app(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    first = body(login(api, wechat.login_code("c1", "o-shop", app=SHOP), SHOP))
    body(login(api, wechat.login_code("c2", "o-shop", "u-1", app=SHOP), SHOP))

    third = body(login(api, wechat.login_code("c3", "o-card", "u-1", app=CARD), CARD))

    assert third["data"]["status"] == "login_success"
    assert third["data"]["user"]["pb_id"] == first["data"]["user"]["pb_id"]
    assert api.count() == 1


def test_a_unionid_held_by_another_user_is_a_conflict_and_both_still_sign_in(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    shop = body(login(api, wechat.login_code("c1", "o-shop", app=SHOP), SHOP))
    card = body(login(api, wechat.login_code("c2", "o-card", "u-1", app=CARD), CARD))

    again_shop = body(login(api, wechat.login_code("c3", "o-shop", "u-1", app=SHOP), SHOP))
    again_card = body(login(api, wechat.login_code("c4", "o-card", "u-1", app=CARD), CARD))

    assert again_shop["data"]["user"]["pb_id"] == shop["data"]["user"]["pb_id"]
    assert again_card["data"]["user"]["pb_id"] == card["data"]["user"]["pb_id"]
    assert api.count() == 2
    conflicts = api.client.blocking_portal.call(api.container.adapters.identities().conflicts)
    assert [(c.kind, c.pb_id, c.other_pb_id) for c in conflicts] == [
        (
            ConflictKind.UNIONID_TAKEN,
            shop["data"]["user"]["pb_id"],
            card["data"]["user"]["pb_id"],
        )
    ]


def test_a_disabled_user_reached_through_a_second_app_is_401_and_nobody_is_made(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    first = body(login(api, wechat.login_code("c1", "o-shop", "u-1", app=SHOP), SHOP))
    users = api.container.adapters.users()
    pb_id = first["data"]["user"]["pb_id"]
    api.client.blocking_portal.call(
        lambda: users.set_status(
            pb_id, UserStatus.DISABLED, updated=api.container.adapters.clock().now()
        )
    )

    response = login(api, wechat.login_code("c2", "o-card", "u-1", app=CARD), CARD)

    assert response.status_code == 401
    assert "token" not in response.json()
    assert api.count() == 1


def test_concurrent_first_logins_of_one_person_over_two_apps_make_one_user(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    apps = [SHOP if n % 2 else CARD for n in range(20)]
    for n, app in enumerate(apps):
        wechat.login_code(f"c{n}", f"o-{app}", "u-1", app=app)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda n: login(api, f"c{n}", apps[n]), range(20)))

    payloads = [body(response) for response in responses]
    assert len({p["data"]["user"]["pb_id"] for p in payloads}) == 1
    assert [p["data"]["status"] for p in payloads].count("register_success") == 1
    assert api.count() == 1


def test_the_profile_asks_wechat_with_the_requests_app(api: Api, wechat: FakeWeChatGateway) -> None:
    token = body(login(api, wechat.login_code("c1", "o-card", app=CARD), CARD))["token"]
    wechat.phone_code("p-card", openid="o-card", phone="13800138000", app=CARD)
    wechat.phone_code("p-shop", openid="o-card", phone="13800138001", app=SHOP)
    auth = {"Authorization": f"Bearer {token}"}
    fields = {"users_name": "小明", "users_picture": "https://example.com/a.png"}

    other_app = api.post(
        "/wechat/profile",
        json={**fields, "users_phone_code": "p-shop"},
        headers=auth | referer(CARD),
    )
    saved = api.post(
        "/wechat/profile",
        json={**fields, "users_phone_code": "p-card"},
        headers=auth | referer(CARD),
    )

    assert other_app.status_code == 400
    assert saved.status_code == 200, saved.text
    assert saved.json()["data"]["user"]["users_phone"] == "13800138000"
    assert saved.json()["data"]["user"]["openid"] == "o-card"  # the asking app's
    assert wechat.apps_asked[-1] == CARD
