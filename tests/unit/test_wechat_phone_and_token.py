"""getuserphonenumber and the stable access token against `httpx.MockTransport`."""

import json
from typing import Any

import httpx
import pytest

from bai.adapters.wechat.server_gateway import WeChatServerGateway
from bai.domain.errors import (
    PhoneCodeRejected,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
)
from bai.domain.values import PhoneCode, PhoneNumber
from tests.support.fakes import FixedClock
from tests.support.wechat_script import APPID, SECRET, WeChatScript, answer, phone_reply


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
    gateway: WeChatServerGateway, script: WeChatScript, country: Any, pure: str, stored: str
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply(country, pure))

    assert await gateway.phone_number(PhoneCode("p"), openid="openid-1", app=APPID) == PhoneNumber(
        stored
    )


async def test_phone_request_carries_the_code_the_openid_and_the_access_token(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply())

    await gateway.phone_number(PhoneCode("phone-code"), openid="openid-1", app=APPID)

    request = script.requests[-1]
    assert request.method == "POST"
    assert request.url.params["access_token"] == "TOKEN-1"
    assert json.loads(request.content) == {"code": "phone-code", "openid": "openid-1"}


async def test_another_apps_watermark_is_refused(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(
        phone_reply(appid="wx-someone-else")
    )

    with pytest.raises(PhoneCodeRejected):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1", app=APPID)


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
    gateway: WeChatServerGateway, script: WeChatScript, errcode: int, error: type[Exception]
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(
        {"errcode": errcode, "errmsg": "x"}
    )

    with pytest.raises(error):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1", app=APPID)


@pytest.mark.parametrize(
    "info",
    [None, {"purePhoneNumber": "138", "countryCode": "86", "watermark": {"appid": APPID}}, "text"],
)
async def test_malformed_phone_answers_are_an_outage(
    gateway: WeChatServerGateway, script: WeChatScript, info: Any
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(
        {"errcode": 0, "phone_info": info}
    )

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1", app=APPID)


async def test_access_token_is_fetched_in_normal_mode_and_reused(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply())

    for _ in range(3):
        await gateway.phone_number(PhoneCode("p"), openid="openid-1", app=APPID)

    assert script.count("stable_token") == 1
    fetch = next(request for request in script.requests if "stable_token" in request.url.path)
    assert json.loads(fetch.content) == {
        "grant_type": "client_credential",
        "appid": APPID,
        "secret": SECRET,
    }


async def test_access_token_is_renewed_five_minutes_before_it_expires(
    gateway: WeChatServerGateway, script: WeChatScript, monotonic: FixedClock
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer(phone_reply())
    await gateway.phone_number(PhoneCode("p"), openid="o", app=APPID)

    monotonic.advance(7200 - 301)
    await gateway.phone_number(PhoneCode("p"), openid="o", app=APPID)
    assert script.count("stable_token") == 1
    monotonic.advance(1)
    await gateway.phone_number(PhoneCode("p"), openid="o", app=APPID)
    assert script.count("stable_token") == 2


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_a_refused_access_token_is_fetched_again_and_the_call_retried_once(
    gateway: WeChatServerGateway, script: WeChatScript, errcode: int
) -> None:
    def expired_first(request: httpx.Request) -> httpx.Response:
        if request.url.params["access_token"] == "TOKEN-1":
            return answer({"errcode": errcode, "errmsg": "access_token expired"})
        return answer(phone_reply())

    script.routes["/wxa/business/getuserphonenumber"] = expired_first

    phone = await gateway.phone_number(PhoneCode("p"), openid="o", app=APPID)

    assert phone == PhoneNumber("13800138000")
    assert script.count("stable_token") == 2
    assert script.count("getuserphonenumber") == 2


async def test_a_token_refused_twice_is_an_outage(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    script.routes["/wxa/business/getuserphonenumber"] = lambda _: answer({"errcode": 40001})

    with pytest.raises(WeChatUnavailable):
        await gateway.phone_number(PhoneCode("p"), openid="o", app=APPID)
    assert script.count("getuserphonenumber") == 2


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (answer({"errcode": 40125, "errmsg": "invalid appsecret"}), WeChatMisconfigured),
        (answer({"errcode": 40002, "errmsg": "invalid grant_type"}), WeChatMisconfigured),
        (answer({"errcode": 45011}), WeChatQuotaExceeded),
        (answer({"access_token": "T"}), WeChatUnavailable),
        (answer({"errmsg": "down"}, status=503), WeChatUnavailable),
        (answer({"errcode": 40001, "errmsg": "invalid credential"}), WeChatUnavailable),
    ],
)
async def test_access_token_failures(
    gateway: WeChatServerGateway,
    script: WeChatScript,
    reply: httpx.Response,
    error: type[Exception],
) -> None:
    script.routes["/cgi-bin/stable_token"] = lambda _: reply

    with pytest.raises(error):
        await gateway.phone_number(PhoneCode("p"), openid="o", app=APPID)
    assert script.count("getuserphonenumber") == 0
