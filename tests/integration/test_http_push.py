"""WeChat's push route on every storage backend (SPEC "WeChat's push events"): WeChat's own
examples are accepted, forged or mangled pushes are refused and change nothing, and each event
deletes what it says, once."""

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.adapters.wechat.push_crypto import PushKey, encrypt, message_signature
from bai.entrypoints.container import Container
from bai.entrypoints.observability.logs import quiet_libraries
from tests.integration.conftest import Api, api_of
from tests.support.apps import container_with
from tests.support.fakes import SECOND_APP, TEST_APP, FakeWeChatGateway, FixedClock
from tests.support.wechat_push import DOCS_HANDSHAKE, DOCS_PUSH

TOKENS = {TEST_APP: "shop-push-token", SECOND_APP: "card-push-token"}
KEYS = {TEST_APP: "S" * 42 + "A", SECOND_APP: "C" * 42 + "A"}
PREVIOUS = "P" * 42 + "A"
UNPUSHED = "wxnopush00000003"
APPS_FILE = f"""
[[app]]
appid = "{TEST_APP}"
primary = true
push_token = "{TOKENS[TEST_APP]}"
push_aes_key = "{KEYS[TEST_APP]}"
push_aes_key_previous = "{PREVIOUS}"

[[app]]
appid = "{SECOND_APP}"
push_token = "{TOKENS[SECOND_APP]}"
push_aes_key = "{KEYS[SECOND_APP]}"

[[app]]
appid = "{DOCS_PUSH.appid}"
push_token = "{DOCS_PUSH.token}"
push_aes_key = "{DOCS_PUSH.encoding_aes_key}"

[[app]]
appid = "{UNPUSHED}"
"""
_times = iter(range(1_714_000_000, 1_800_000_000))
# What is refused before any store is asked is checked on one backend (memory): the stores'
# part is each backend's contract suite's and the accepting tests'.
BEFORE_STORAGE = pytest.mark.parametrize("database_url", ["memory"], indirect=True)


@pytest.fixture
def container(
    tmp_path: Path, database_env: dict[str, str], wechat: FakeWeChatGateway, clock: FixedClock
) -> Iterator[Container]:
    apps = tmp_path / "apps.toml"
    apps.write_text(APPS_FILE)
    env = {**database_env, "BAI_WECHAT_APPS_FILE": str(apps)}
    built = container_with(tmp_path, env, wechat=wechat, clock=clock)
    yield built
    built.reset_override()


@pytest.fixture(autouse=True)
def now(clock: FixedClock) -> None:
    """BAI's clock at the time the pushes below are signed with (the wall clock's)."""
    clock.current = datetime.now(UTC)


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with api_of(container) as served:
        yield served


def event(
    kind: str, openid: str, *, revoke: str = "", app: str = TEST_APP, at: int | None = None
) -> dict[str, Any]:
    message = {
        "ToUserName": "gh_0123456789ab",
        "FromUserName": "o-wechat-system",
        "CreateTime": at if at is not None else next(_times),
        "MsgType": "event",
        "Event": kind,
        "OpenID": openid,
        "AppID": app,
    }
    return message | ({"RevokeInfo": revoke} if revoke else {})


def sealed(
    message: dict[str, Any] | bytes,
    *,
    app: str = TEST_APP,
    key: str | None = None,
    sealed_for: str | None = None,
    xml: bool = False,
) -> tuple[dict[str, str], bytes]:
    """A safe-mode push of `message` as WeChat sends it: its query and body."""
    plain = message if isinstance(message, bytes) else json.dumps(message).encode()
    secret = PushKey.from_encoding_aes_key(key or KEYS[app])
    encrypted = encrypt(plain, secret, appid=sealed_for or app)
    timestamp, nonce = str(int(time.time())), "271828"
    query = {
        "signature": "ignored-in-safe-mode",
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": message_signature(TOKENS[app], timestamp, nonce, encrypted),
    }
    if xml:
        body = f"<xml><ToUserName>gh_0</ToUserName><Encrypt>{encrypted}</Encrypt></xml>"
        return query, body.encode()
    return query, json.dumps({"ToUserName": "gh_0", "Encrypt": encrypted}).encode()


def push(api: Api, message: dict[str, Any], *, app: str = TEST_APP, **how: Any) -> httpx.Response:
    query, body = sealed(message, app=app, **how)
    return api.client.post(f"/pb/api/wechat/push/{app}", params=query, content=body)


def refused(response: httpx.Response, status: int, reason: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {
        "code": status,
        "msg": response.json()["msg"],
        "data": {"reason": reason},
    }


def signed_in(api: Api, wechat: FakeWeChatGateway, openid: str, *, app: str = TEST_APP) -> str:
    """`openid` signed in to `app` (one unionid for the person in every app); in the primary
    app, with a complete profile. Their token."""
    code = wechat.login_code(f"code-{openid}-{app}", openid=openid, unionid=f"u-{openid}", app=app)
    referer = {"Referer": f"https://servicewechat.com/{app}/1/page-frame.html"}
    response = api.post("/wechat/login", json={"users_wx_code": code}, headers=referer)
    token: str = response.json()["token"]
    if app == TEST_APP:
        phone = wechat.phone_code(f"phone-{openid}", openid=openid, phone="13800138000")
        saved = api.profile(token, users_phone_code=phone)
        assert saved.status_code == 200, saved.text
    return token


def stored(api: Api, openid: str) -> dict[str, str] | None:
    user = api.client.blocking_portal.call(api.container.adapters.users().get_by_openid, openid)
    if user is None:
        return None
    return {"phone": user.users_phone, "name": user.users_name, "picture": user.users_picture}


def recorded(api: Api) -> list[Any]:
    listing = api.container.use_cases.list_push_events()
    return list(api.client.blocking_portal.call(lambda: listing.execute(limit=100)))


@BEFORE_STORAGE
def test_wechats_handshake_example_is_answered_with_its_echostr(api: Api) -> None:
    example = DOCS_HANDSHAKE
    query = {"signature": example.signature, "timestamp": example.timestamp, "nonce": "x"}

    good = api.client.get(
        f"/pb/api/wechat/push/{DOCS_PUSH.appid}",
        params={**query, "nonce": example.nonce, "echostr": "7049357893472"},
    )
    forged = api.client.get(
        f"/pb/api/wechat/push/{DOCS_PUSH.appid}", params={**query, "echostr": "1"}
    )

    assert good.status_code == 200
    assert good.text == "7049357893472"
    assert good.headers["content-type"] == "text/plain; charset=utf-8"
    assert good.headers["x-content-type-options"] == "nosniff"
    refused(forged, 401, "bad_signature")


@BEFORE_STORAGE
def test_an_app_without_push_settings_or_unknown_is_a_404(api: Api) -> None:
    for app in (UNPUSHED, "wxunknown0000009"):
        for response in (
            api.client.get(f"/pb/api/wechat/push/{app}"),
            api.client.post(f"/pb/api/wechat/push/{app}", content=b"{}"),
        ):
            assert response.status_code == 404
            assert response.json()["code"] == 404


def test_wechats_safe_mode_example_is_accepted_and_recorded(api: Api, clock: FixedClock) -> None:
    example = DOCS_PUSH
    clock.current = datetime.fromtimestamp(int(example.timestamp) + 5, UTC)  # just sent
    query = {
        "timestamp": example.timestamp,
        "nonce": example.nonce,
        "msg_signature": example.msg_signature,
        "encrypt_type": "aes",
    }

    response = api.client.post(
        f"/pb/api/wechat/push/{example.appid}", params=query, content=example.body
    )

    assert response.status_code == 200, response.text
    assert response.text == "success"
    [record] = recorded(api)
    assert (record.appid, record.event, record.outcome) == (
        example.appid,
        "debug_demo",
        "unknown_openid",
    )


@pytest.mark.parametrize(
    ("codes", "left"),
    [
        ("8", {"phone": "", "name": "张三", "picture": "https://cdn.example.com/avatar.png"}),
        ("6", {"phone": "13800138000", "name": "", "picture": ""}),
        (
            "19",
            {"phone": "13800138000", "name": "", "picture": "https://cdn.example.com/avatar.png"},
        ),
        ("20", {"phone": "13800138000", "name": "张三", "picture": ""}),
        (
            "1,2",
            {
                "phone": "13800138000",
                "name": "张三",
                "picture": "https://cdn.example.com/avatar.png",
            },
        ),
        ("8,6", {"phone": "", "name": "", "picture": ""}),
    ],
)
def test_a_revocation_clears_what_its_codes_name(
    api: Api, wechat: FakeWeChatGateway, codes: str, left: dict[str, str]
) -> None:
    signed_in(api, wechat, "o-1")

    response = push(api, event("user_authorization_revoke", "o-1", revoke=codes))

    assert response.text == "success"
    assert stored(api, "o-1") == left
    [record] = recorded(api)
    assert record.outcome == ("nothing_kept" if codes == "1,2" else "cleared")
    assert "o-1" not in json.dumps([record.openid_hash, record.id])


def test_a_repeated_delivery_changes_nothing_the_second_time(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    token = signed_in(api, wechat, "o-1")
    revocation = event("user_authorization_revoke", "o-1", revoke="8")
    push(api, revocation)
    phone = wechat.phone_code("phone-again", openid="o-1", phone="13900139000")
    assert api.profile(token, users_phone_code=phone).status_code == 200  # given again

    again = push(api, revocation)  # WeChat retries

    assert again.text == "success"
    assert stored(api, "o-1")["phone"] == "13900139000"  # type: ignore[index]
    assert len(recorded(api)) == 1


def test_user_info_modified_clears_name_and_picture(api: Api, wechat: FakeWeChatGateway) -> None:
    signed_in(api, wechat, "o-1")

    push(api, event("user_info_modified", "o-1"))

    assert stored(api, "o-1") == {"phone": "13800138000", "name": "", "picture": ""}


def test_a_cancellation_removes_the_identity_and_then_the_user(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    shop_token = signed_in(api, wechat, "o-1")
    card_token = signed_in(api, wechat, "o-1", app=SECOND_APP)  # one person: one user
    assert api.count() == 1

    push(api, event("user_authorization_cancellation", "o-1", app=SECOND_APP), app=SECOND_APP)

    assert api.refresh(card_token).status_code == 401  # the card app's session ended
    assert api.refresh(shop_token).status_code == 200
    assert api.count() == 1
    clock.advance(1)

    push(api, event("user_authorization_cancellation", "o-1"))

    assert stored(api, "o-1") is None
    assert api.count() == 0
    assert api.refresh(shop_token).status_code == 401
    outcomes = [record.outcome for record in recorded(api)]
    assert outcomes == ["user_deleted", "identity_removed"]  # newest first


def test_an_unknown_openid_or_event_is_recorded_and_changes_nothing(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    signed_in(api, wechat, "o-1")

    push(api, event("user_authorization_revoke", "o-nobody", revoke="8"))
    clock.advance(1)
    push(api, event("something_new", "o-1"))

    assert stored(api, "o-1") == {
        "phone": "13800138000",
        "name": "张三",
        "picture": "https://cdn.example.com/avatar.png",
    }
    assert [record.outcome for record in recorded(api)] == ["ignored", "unknown_openid"]


def test_the_previous_key_and_an_xml_body_are_accepted(api: Api, wechat: FakeWeChatGateway) -> None:
    signed_in(api, wechat, "o-1")

    response = push(api, event("user_info_modified", "o-1"), key=PREVIOUS, xml=True)

    assert response.text == "success"
    assert stored(api, "o-1")["name"] == ""  # type: ignore[index]


@BEFORE_STORAGE
def test_forged_mangled_and_plaintext_pushes_are_refused_and_change_nothing(
    api: Api, wechat: FakeWeChatGateway
) -> None:
    signed_in(api, wechat, "o-1")
    revocation = event("user_authorization_revoke", "o-1", revoke="8,6")
    query, body = sealed(revocation)
    url = f"/pb/api/wechat/push/{TEST_APP}"

    plaintext = api.client.post(url, params={"signature": "x"}, content=json.dumps(revocation))
    forged = api.client.post(url, params={**query, "msg_signature": "0" * 40}, content=body)
    other_app = push(api, revocation, sealed_for=SECOND_APP)
    wrong_key = push(api, revocation, key=KEYS[SECOND_APP])

    refused(plaintext, 403, "plaintext")
    refused(forged, 401, "bad_signature")
    refused(other_app, 400, "wrong_appid")
    assert wrong_key.status_code == 400
    assert stored(api, "o-1")["phone"] == "13800138000"  # type: ignore[index]
    assert recorded(api) == []


@BEFORE_STORAGE
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=400) | st.text(max_size=200).map(str.encode),
    query=st.dictionaries(
        st.sampled_from(["msg_signature", "timestamp", "nonce", "encrypt_type", "echostr"]),
        st.text(max_size=40),
    ),
    message=st.binary(max_size=200),
)
def test_any_push_is_a_4xx_or_success_never_an_error(
    api: Api, body: bytes, query: dict[str, str], message: bytes
) -> None:
    url = f"/pb/api/wechat/push/{TEST_APP}"
    sealed_query, sealed_body = sealed(message)

    answers = [
        api.client.post(url, params=query, content=body),
        api.client.get(url, params=query),
        api.client.post(url, params=sealed_query, content=sealed_body),
    ]

    for answer in answers:
        assert answer.status_code < 500, answer.text
        assert answer.status_code == 200 or answer.json()["code"] == answer.status_code


def test_push_events_and_refusals_are_counted(api: Api, wechat: FakeWeChatGateway) -> None:
    signed_in(api, wechat, "o-1")
    push(api, event("user_authorization_revoke", "o-1", revoke="8"))
    api.client.post(f"/pb/api/wechat/push/{TEST_APP}", content=b"{}")

    scrape = api.container.adapters.metrics().scrape().decode()

    assert (
        f'bai_wechat_push_events_total{{app="{TEST_APP}",event="user_authorization_revoke",'
        'outcome="cleared"} 1.0'
    ) in scrape
    assert f'bai_wechat_push_refusals_total{{app="{TEST_APP}",reason="plaintext"}} 1.0' in scrape
    assert "o-1" not in scrape


def test_no_openid_token_key_or_message_reaches_a_log(
    api: Api, wechat: FakeWeChatGateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_libraries()  # as `bai serve` does, whatever BAI_LOG_LEVEL
    signed_in(api, wechat, "o-logged-person")
    query, body = sealed(event("user_authorization_revoke", "o-logged-person", revoke="8"))
    caplog.clear()

    api.client.post(f"/pb/api/wechat/push/{TEST_APP}", params=query, content=body)
    api.client.post(f"/pb/api/wechat/push/{TEST_APP}", params=query, content=body[:-9])
    api.client.post(f"/pb/api/wechat/push/{TEST_APP}", content=b'{"OpenID":"o-logged-person"}')

    served = caplog.records
    logged = "\n".join(record.getMessage() for record in served)
    assert served  # the access lines
    for secret in ("o-logged-person", TOKENS[TEST_APP], KEYS[TEST_APP], query["msg_signature"]):
        assert secret not in logged


@BEFORE_STORAGE
def test_a_push_signed_long_ago_is_a_replay_and_refused(
    api: Api, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    signed_in(api, wechat, "o-1")
    query, body = sealed(event("user_authorization_revoke", "o-1", revoke="8"))
    clock.advance(3601)

    late = api.client.post(f"/pb/api/wechat/push/{TEST_APP}", params=query, content=body)
    unsigned_time = api.client.post(
        f"/pb/api/wechat/push/{TEST_APP}", params={**query, "timestamp": ""}, content=body
    )

    refused(late, 401, "stale")
    refused(unsigned_time, 401, "stale")
    assert stored(api, "o-1")["phone"] == "13800138000"  # type: ignore[index]


@BEFORE_STORAGE
@pytest.mark.parametrize(
    "odd",
    [
        {"Event": "user_authorization_cancellation\u0000"},
        {"Event": "a" * 65},
        {"RevokeInfo": "\u0000"},
        {"RevokeInfo": "８"},
        {"CreateTime": "²"},
        {"CreateTime": "١٢٣"},
        {"OpenID": "o-1\u0000"},
        {"OpenID": "ｏ-1"},
    ],
)
def test_fields_wechat_never_sends_are_refused_and_change_nothing(
    api: Api, wechat: FakeWeChatGateway, odd: dict[str, str]
) -> None:
    signed_in(api, wechat, "o-1")
    message = json.dumps(event("user_authorization_cancellation", "o-1") | odd)

    response = push(api, json.loads(message))

    refused(response, 400, "malformed")
    assert api.count() == 1
    assert recorded(api) == []
