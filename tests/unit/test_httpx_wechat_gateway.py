"""The WeChat gateway against `httpx.MockTransport`: shapes, content types and errcodes."""

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bai.adapters.wechat.access_token import StableAccessToken
from bai.adapters.wechat.api import WeChatApi
from bai.adapters.wechat.httpx_gateway import HttpxWeChatGateway
from bai.domain.errors import (
    LoginCodeRejected,
    PhoneCodeRejected,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
)
from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity

APPID, SECRET = "wx-app-1", "app-secret-1"
Handler = Callable[[httpx.Request], httpx.Response]


def answer(
    body: Any, *, status: int = 200, content_type: str = "application/json"
) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers={"Content-Type": content_type})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WeChatScript:
    """Routes requests to per-path handlers and keeps every request it saw."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[str, Handler] = {
            "/cgi-bin/stable_token": lambda _: answer(
                {"access_token": f"TOKEN-{self.count('stable')}", "expires_in": 7200}
            ),
        }

    def count(self, fragment: str) -> int:
        return sum(fragment in request.url.path for request in self.requests)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes[request.url.path](request)


@pytest.fixture
def script() -> WeChatScript:
    return WeChatScript()


@pytest.fixture
def monotonic() -> Clock:
    return Clock()


@pytest.fixture
def gateway(script: WeChatScript, monotonic: Clock) -> HttpxWeChatGateway:
    client = httpx.AsyncClient(
        base_url="https://wechat.test", transport=httpx.MockTransport(script)
    )
    api = WeChatApi(client, total_timeout=5)
    token = StableAccessToken(api=api, appid=APPID, secret=SECRET, clock=monotonic)
    return HttpxWeChatGateway(api=api, access_token=token, appid=APPID, secret=SECRET)


def phone_reply(
    country: Any = "86", pure: str = "13800138000", appid: str = APPID
) -> dict[str, Any]:
    return {
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": pure if str(country) == "86" else f"+{country}{pure}",
            "purePhoneNumber": pure,
            "countryCode": country,
            "watermark": {"timestamp": 1700000000, "appid": appid},
        },
    }


SESSION = {"openid": "openid-1", "session_key": "SESSION-KEY", "unionid": "union-1"}


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "text/html; charset=utf-8"]
)
@pytest.mark.parametrize("body", [SESSION, {**SESSION, "errcode": 0, "errmsg": "ok"}])
async def test_session_is_read_whatever_the_content_type(
    gateway: HttpxWeChatGateway, script: WeChatScript, content_type: str, body: dict[str, Any]
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer(body, content_type=content_type)

    identity = await gateway.code_to_session(LoginCode("code-1"))

    assert identity == WeChatIdentity(openid="openid-1", unionid="union-1")


async def test_session_request_carries_app_credentials_and_the_code(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer({"openid": "o"})

    await gateway.code_to_session(LoginCode("code-1"))

    request = script.requests[-1]
    assert request.method == "GET"
    assert dict(request.url.params) == {
        "appid": APPID,
        "secret": SECRET,
        "js_code": "code-1",
        "grant_type": "authorization_code",
    }


async def test_missing_unionid_is_empty(gateway: HttpxWeChatGateway, script: WeChatScript) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer({"openid": "o", "session_key": "k"})

    assert (await gateway.code_to_session(LoginCode("c"))).unionid == ""


ERRCODES: list[tuple[int, type[Exception]]] = [
    (40029, LoginCodeRejected),
    (40163, LoginCodeRejected),
    (40226, LoginCodeRejected),
    (40099, LoginCodeRejected),
    (45011, WeChatQuotaExceeded),
    (-1, WeChatUnavailable),
    *[(code, WeChatMisconfigured) for code in (40013, 40125, 40164, 41002, 41004, 89503)],
]


@pytest.mark.parametrize(("errcode", "error"), ERRCODES)
async def test_session_errcodes_mean_what_spec_says(
    gateway: HttpxWeChatGateway, script: WeChatScript, errcode: int, error: type[Exception]
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer(
        {"errcode": errcode, "errmsg": "x"}, content_type="text/plain"
    )

    with pytest.raises(error):
        await gateway.code_to_session(LoginCode("code-1"))


async def test_our_misconfiguration_is_logged_for_the_operator(
    gateway: HttpxWeChatGateway, script: WeChatScript, caplog: pytest.LogCaptureFixture
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer(
        {"errcode": 40125, "errmsg": "invalid appsecret"}
    )

    with pytest.raises(WeChatMisconfigured):
        await gateway.code_to_session(LoginCode("code-1"))

    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "40125" in errors[0].getMessage()
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    "reply",
    [
        answer({"errmsg": "busy"}, status=500),
        answer({}, status=502),
        answer(b"<html>gateway timeout</html>", status=200, content_type="text/html"),
        answer(b"", status=200),
        answer([1, 2], status=200),
        answer({"session_key": "k"}),
        answer({"openid": 42}),
    ],
    ids=["500", "502", "html", "empty", "array", "no openid", "openid not text"],
)
async def test_broken_answers_are_an_outage(
    gateway: HttpxWeChatGateway, script: WeChatScript, reply: httpx.Response
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: reply

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(LoginCode("code-1"))


async def test_a_failed_connect_is_tried_once_more(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    outcomes: list[Exception | httpx.Response] = [
        httpx.ConnectError("refused"),
        answer({"openid": "o"}),
    ]

    def flaky(request: httpx.Request) -> httpx.Response:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    script.routes["/sns/jscode2session"] = flaky

    assert (await gateway.code_to_session(LoginCode("c"))).openid == "o"
    assert script.count("jscode2session") == 2


async def test_two_failed_connects_are_an_outage(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    script.routes["/sns/jscode2session"] = refuse

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(LoginCode("c"))
    assert script.count("jscode2session") == 2


async def test_a_sent_login_code_is_never_sent_again(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    script.routes["/sns/jscode2session"] = time_out

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(LoginCode("c"))
    assert script.count("jscode2session") == 1


@pytest.mark.parametrize(
    ("country", "pure", "stored"),
    [
        ("86", "13800138000", "13800138000"),
        (86, "13800138000", "13800138000"),
        ("852", "61234567", "+85261234567"),
        (1, "4155550123", "+14155550123"),
        ("+44", "7700900123", "+447700900123"),
    ],
)
async def test_phone_numbers_are_stored_mainland_plain_and_foreign_with_country_code(
    gateway: HttpxWeChatGateway, script: WeChatScript, country: Any, pure: str, stored: str
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply(country, pure))

    assert await gateway.phone_number(PhoneCode("p"), openid="openid-1") == PhoneNumber(stored)


async def test_phone_request_carries_the_code_the_openid_and_the_access_token(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply())

    await gateway.phone_number(PhoneCode("phone-code"), openid="openid-1")

    request = script.requests[-1]
    assert request.method == "POST"
    assert request.url.params["access_token"] == "TOKEN-1"
    assert json.loads(request.content) == {"code": "phone-code", "openid": "openid-1"}


async def test_another_apps_watermark_is_refused(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(
        phone_reply(appid="wx-someone-else")
    )

    with pytest.raises(PhoneCodeRejected):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1")


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (40029, PhoneCodeRejected),
        (40163, PhoneCodeRejected),
        (45011, WeChatQuotaExceeded),
        (-1, WeChatUnavailable),
        (40013, WeChatMisconfigured),
    ],
)
async def test_phone_errcodes_mean_what_spec_says(
    gateway: HttpxWeChatGateway, script: WeChatScript, errcode: int, error: type[Exception]
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(
        {"errcode": errcode, "errmsg": "x"}
    )

    with pytest.raises(error):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1")


@pytest.mark.parametrize(
    "info",
    [None, {"purePhoneNumber": "138", "countryCode": "86", "watermark": {"appid": APPID}}, "text"],
)
async def test_malformed_phone_answers_are_an_outage(
    gateway: HttpxWeChatGateway, script: WeChatScript, info: Any
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(
        {"errcode": 0, "phone_info": info}
    )

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1")


async def test_access_token_is_fetched_in_normal_mode_and_reused(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply())

    for _ in range(3):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1")

    assert script.count("stable_token") == 1
    fetch = next(request for request in script.requests if "stable_token" in request.url.path)
    assert json.loads(fetch.content) == {
        "grant_type": "client_credential",
        "appid": APPID,
        "secret": SECRET,
    }


async def test_access_token_is_renewed_five_minutes_before_it_expires(
    gateway: HttpxWeChatGateway, script: WeChatScript, monotonic: Clock
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply())
    await gateway.phone_number(PhoneCode("p"), openid="o")

    monotonic.now += 7200 - 301
    await gateway.phone_number(PhoneCode("p"), openid="o")
    assert script.count("stable_token") == 1
    monotonic.now += 1
    await gateway.phone_number(PhoneCode("p"), openid="o")
    assert script.count("stable_token") == 2


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_a_refused_access_token_is_fetched_again_and_the_call_retried_once(
    gateway: HttpxWeChatGateway, script: WeChatScript, errcode: int
) -> None:
    def expired_first(request: httpx.Request) -> httpx.Response:
        if request.url.params["access_token"] == "TOKEN-1":
            return answer({"errcode": errcode, "errmsg": "access_token expired"})
        return answer(phone_reply())

    script.routes["/wxa/business/getuserphonenumber"] = expired_first

    phone = await gateway.phone_number(PhoneCode("p"), openid="o")

    assert phone == PhoneNumber("13800138000")
    assert script.count("stable_token") == 2
    assert script.count("getuserphonenumber") == 2


async def test_a_token_refused_twice_is_an_outage(
    gateway: HttpxWeChatGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer({"errcode": 40001})

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number(PhoneCode("p"), openid="o")
    assert script.count("getuserphonenumber") == 2


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (answer({"errcode": 40125, "errmsg": "invalid appsecret"}), WeChatMisconfigured),
        (answer({"errcode": 40002, "errmsg": "invalid grant_type"}), WeChatMisconfigured),
        (answer({"errcode": 45011}), WeChatQuotaExceeded),
        (answer({"access_token": "T"}), WeChatUnavailable),
        (answer({"errmsg": "down"}, status=503), WeChatUnavailable),
    ],
)
async def test_access_token_failures(
    gateway: HttpxWeChatGateway, script: WeChatScript, reply: httpx.Response, error: type[Exception]
) -> None:
    script.routes["/cgi-bin/stable_token"] = lambda _: reply

    with pytest.raises(error):
        await gateway.phone_number(PhoneCode("p"), openid="o")
    assert script.count("getuserphonenumber") == 0
