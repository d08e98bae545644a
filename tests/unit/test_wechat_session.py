"""jscode2session against `httpx.MockTransport`: shapes, content types, errcodes, retries."""

import logging
from typing import Any

import httpx
import pytest

from bai.adapters.wechat.server_gateway import WeChatServerGateway
from bai.domain.errors import (
    LoginCodeRejected,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
)
from bai.domain.values import LoginCode, WeChatIdentity
from tests.support.wechat_script import APPID, SECRET, WeChatScript, answer

SESSION = {"openid": "openid-1", "session_key": "SESSION-KEY", "unionid": "union-1"}
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    "content_type", ["application/json", "text/plain", "text/html; charset=utf-8"]
)
@pytest.mark.parametrize("body", [SESSION, {**SESSION, "errcode": 0, "errmsg": "ok"}])
async def test_session_is_read_whatever_the_content_type(
    gateway: WeChatServerGateway, script: WeChatScript, content_type: str, body: dict[str, Any]
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer(body, content_type=content_type)

    identity = await gateway.code_to_session(LoginCode("code-1"), app=APPID)

    assert identity == WeChatIdentity(openid="openid-1", unionid="union-1")


async def test_session_request_carries_app_credentials_and_the_code(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer({"openid": "o"})

    await gateway.code_to_session(LoginCode("code-1"), app=APPID)

    request = script.requests[-1]
    assert request.method == "GET"
    assert dict(request.url.params) == {
        "appid": APPID,
        "secret": SECRET,
        "js_code": "code-1",
        "grant_type": "authorization_code",
    }


async def test_missing_unionid_is_empty(gateway: WeChatServerGateway, script: WeChatScript) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer({"openid": "o", "session_key": "k"})

    assert (await gateway.code_to_session(LoginCode("c"), app=APPID)).unionid == ""


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
    gateway: WeChatServerGateway, script: WeChatScript, errcode: int, error: type[Exception]
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer(
        {"errcode": errcode, "errmsg": "x"}, content_type="text/plain"
    )

    with pytest.raises(error):
        await gateway.code_to_session(LoginCode("code-1"), app=APPID)


async def test_our_misconfiguration_is_logged_for_the_operator(
    gateway: WeChatServerGateway, script: WeChatScript, caplog: pytest.LogCaptureFixture
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: answer(
        {"errcode": 40125, "errmsg": "invalid appsecret"}
    )

    with pytest.raises(WeChatMisconfigured):
        await gateway.code_to_session(LoginCode("code-1"), app=APPID)

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
        answer(b'{"openid": "o", "x": ' + DEEP + b"}"),
        answer(DEEP),
        answer({"openid": "o" * 129}),
        answer({"openid": "o\x00"}),
        answer({"openid": "o", "unionid": "u" * 129}),
        answer({"openid": "o", "unionid": "u\n"}),
        *[answer({"errcode": errcode, "errmsg": "x"}) for errcode in (40001, 40014, 42001)],
    ],
    ids=[
        *("500", "502", "html", "empty", "array", "no openid", "openid not text"),
        *("nested 100,000 deep", "an array 100,000 deep"),
        *("openid over 128", "openid with NUL", "unionid over 128", "unionid with newline"),
        *("40001", "40014", "42001"),
    ],
)
async def test_broken_answers_are_an_outage(
    gateway: WeChatServerGateway, script: WeChatScript, reply: httpx.Response
) -> None:
    script.routes["/sns/jscode2session"] = lambda _: reply

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(LoginCode("code-1"), app=APPID)


async def test_a_failed_connect_is_tried_once_more(
    gateway: WeChatServerGateway, script: WeChatScript
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

    assert (await gateway.code_to_session(LoginCode("c"), app=APPID)).openid == "o"
    assert script.count("jscode2session") == 2


async def test_two_failed_connects_are_an_outage(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    script.routes["/sns/jscode2session"] = refuse

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(LoginCode("c"), app=APPID)
    assert script.count("jscode2session") == 2


async def test_a_sent_login_code_is_never_sent_again(
    gateway: WeChatServerGateway, script: WeChatScript
) -> None:
    def time_out(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    script.routes["/sns/jscode2session"] = time_out

    with pytest.raises(WeChatUnavailable):
        await gateway.code_to_session(LoginCode("c"), app=APPID)
    assert script.count("jscode2session") == 1
