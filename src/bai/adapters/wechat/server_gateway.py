import logging
from collections.abc import Mapping
from dataclasses import dataclass

import msgspec

from bai.domain.errors import (
    InvalidField,
    LoginCodeRejected,
    PhoneCodeRejected,
    WeChatMisconfigured,
    WeChatUnavailable,
)
from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity
from bai.ports.clock import Clock
from bai.ports.wechat_gateway import WeChatGateway

from .access_token import SharedCache, StableAccessToken
from .api import AccessTokenRejected, Endpoint, WeChatAnswer, WeChatApi, check_errcode

logger = logging.getLogger("bai.wechat")
SESSION_PATH = "/sns/jscode2session"
PHONE_PATH = "/wxa/business/getuserphonenumber"


class SessionAnswer(WeChatAnswer):
    openid: str | None = None
    unionid: str | None = None


class Watermark(msgspec.Struct):
    appid: str | None = None


class PhoneInfo(msgspec.Struct):
    countryCode: str | int | None = None  # noqa: N815 (WeChat's names)
    purePhoneNumber: str | None = None  # noqa: N815
    watermark: Watermark | None = None


class PhoneAnswer(WeChatAnswer):
    phone_info: PhoneInfo | None = None


def session_identity(reply: SessionAnswer) -> WeChatIdentity:
    """Who a `jscode2session` answer names. An answer without an openid, or whose ids break
    `WeChatIdentity`'s bounds, is WeChat misbehaving: unavailable, and logged without the
    ids."""
    try:
        return WeChatIdentity(openid=reply.openid or "", unionid=reply.unionid or "")
    except InvalidField as exc:
        logger.warning("WeChat %s answered an unusable %s: %s", SESSION_PATH, exc.field, exc.reason)
        raise WeChatUnavailable from exc


def stored_phone(info: PhoneInfo) -> PhoneNumber:
    """`phone_info` as the domain keeps a number (`PhoneNumber.verified`); `countryCode` may
    be a string or a number. A malformed answer is WeChat misbehaving: unavailable."""
    try:
        return PhoneNumber.verified(str(info.countryCode or ""), info.purePhoneNumber or "")
    except InvalidField as exc:
        raise WeChatUnavailable from exc


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """One mini-program's `jscode2session` (its id and secret in the query, prepared once) and
    its access token (each app has its own)."""

    session: Endpoint
    access_token: StableAccessToken


def credentials_of(
    secrets: Mapping[str, str], *, api: WeChatApi, shared: SharedCache | None, clock: Clock
) -> dict[str, AppCredentials]:
    """Each app's credentials from its app id and secret: an access token of its own, shared
    over processes and hosts under its app id's key."""
    return {
        appid: AppCredentials(
            api.endpoint(
                "GET",
                SESSION_PATH,
                {"appid": appid, "secret": secret, "grant_type": "authorization_code"},
            ),
            StableAccessToken(api=api, appid=appid, secret=secret, shared=shared, clock=clock),
        )
        for appid, secret in secrets.items()
    }


class WeChatServerGateway(WeChatGateway):
    """WeChat's server API, through `WeChatApi` (BAI's httpx transport, one per process),
    for each configured app with its own secret and access token.

    - `jscode2session` is never retried once sent (a login code is single-use); that requests
      carrying one code share one call is the domain's `LoginCodeExchange`.
    - `getuserphonenumber` sends the user's openid so WeChat checks the code is theirs, and a
      watermark of another app is refused. A refused access token is dropped, fetched again and
      the call made once more.
    """

    def __init__(self, *, api: WeChatApi, apps: Mapping[str, AppCredentials]) -> None:
        self._api = api
        self._apps = dict(apps)
        self._phone = api.endpoint("POST", PHONE_PATH)

    def _app(self, app: str) -> AppCredentials:
        try:
            return self._apps[app]
        except KeyError:  # the core serves configured apps only
            raise WeChatMisconfigured from None

    async def code_to_session(self, code: LoginCode, *, app: str) -> WeChatIdentity:
        session = self._app(app).session
        reply = await self._api.call(session, SessionAnswer, params={"js_code": code.value})
        check_errcode(reply.errcode, path=SESSION_PATH, rejected=LoginCodeRejected)
        return session_identity(reply)

    async def phone_number(self, code: PhoneCode, *, openid: str, app: str) -> PhoneNumber:
        access_token = self._app(app).access_token
        token = await access_token.current()
        try:
            reply = await self._ask_phone(token, code, openid)
        except AccessTokenRejected:
            await access_token.drop(token)
            try:
                reply = await self._ask_phone(await access_token.current(), code, openid)
            except AccessTokenRejected as exc:
                raise WeChatUnavailable from exc
        info = reply.phone_info
        if info is None:
            raise WeChatUnavailable
        if info.watermark is None or info.watermark.appid != app:
            raise PhoneCodeRejected
        return stored_phone(info)

    async def _ask_phone(self, token: str, code: PhoneCode, openid: str) -> PhoneAnswer:
        reply = await self._api.call(
            self._phone,
            PhoneAnswer,
            params={"access_token": token},
            body={"code": code.value, "openid": openid},
        )
        check_errcode(reply.errcode, path=PHONE_PATH, rejected=PhoneCodeRejected, token_sent=True)
        return reply
