"""The transport to WeChat's server API and the meaning of its errcodes."""

import asyncio
import logging
from typing import Any, Final

import aiohttp
import httpx
import msgspec
from httpx_aiohttp import AiohttpTransport

from bai.adapters.wechat.aiohttp_send_once import never_resend
from bai.domain.errors import (
    BaiError,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
    WeChatUnreachable,
)

logger = logging.getLogger("bai.wechat")

CONFIGURATION_ERRCODES: Final = frozenset({40013, 40125, 40164, 41002, 41004, 89503})
ACCESS_TOKEN_ERRCODES: Final = frozenset({40001, 40014, 42001})
QUOTA_ERRCODE: Final = 45011
BUSY_ERRCODE: Final = -1


class AccessTokenRejected(Exception):
    """WeChat refused the access token we sent (expired or replaced)."""


class _SendOnceTransport(AiohttpTransport):
    """httpx-aiohttp's transport, made to send a request at most once and to say so.

    - aiohttp sends a GET again when its connection drops without an answer, to survive stale
      keep-alive connections. A login code is single-use, so that second send could burn it:
      `never_resend` turns that off (aiohttp has no public switch: see `aiohttp_send_once`; the
      hang-up test pins the behaviour). Idle connections are dropped after 5 s, well before WeChat's
      servers close theirs.
    - httpx-aiohttp reports every aiohttp connection error as `ConnectTimeout`, a connection
      that dropped after the request went out included. Only a connect that failed stays a
      connect error here; the rest become `RemoteProtocolError`, so callers can tell "never
      sent" from "maybe seen" with httpx's own error types.
    """

    def get_client(self) -> aiohttp.ClientSession:
        return never_resend(super().get_client())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as exc:
            never_sent = aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError
            if isinstance(exc.__cause__, never_sent):
                raise
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc


def new_transport() -> httpx.AsyncBaseTransport:
    """One pooled transport for the app's lifetime: httpx's transport interface on aiohttp's
    connection pool (httpcore's pool spent a third of a login scanning idle connections)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=32, keepalive_expiry=5)
    return _SendOnceTransport(limits=limits)


class WeChatApi:
    """Calls WeChat and hands back its JSON object, or raises `WeChatUnreachable` (no answer
    came back) or `WeChatUnavailable` (an answer that is not a JSON object: HTTP 5xx, not JSON,
    nested too deep to decode).

    WeChat answers errors with HTTP 200, sometimes as `text/plain`, so the body is decoded as
    JSON whatever its content type. Only a failed connect is tried again: a request that
    reached WeChat may have used up a single-use code.
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport,
        *,
        base_url: str,
        total_timeout: float,
        connect_timeout: float | None = None,
    ) -> None:
        # The transport is called directly: httpx's client (cookies, auth and redirect
        # machinery, URL merging) cost more than the HTTP exchange itself, and WeChat's API
        # needs none of it.
        self._transport = transport
        self._base_url = base_url.rstrip("/")
        self._total_timeout = total_timeout
        self._timeout = httpx.Timeout(total_timeout, connect=connect_timeout).as_dict()

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._total_timeout):
                response = await self._send(method, path, params=params, body=body)
        except (httpx.HTTPError, aiohttp.ClientError, TimeoutError) as exc:
            logger.warning("WeChat %s failed: %s", path, type(exc).__name__)
            raise WeChatUnreachable from exc
        if response.status_code >= 500:  # noqa: PLR2004
            logger.warning("WeChat %s answered HTTP %s", path, response.status_code)
            raise WeChatUnavailable
        try:
            reply = msgspec.json.decode(response.content)
        except (msgspec.DecodeError, RecursionError):  # msgspec recurses into nested values
            reply = None
        if not isinstance(reply, dict):
            logger.warning("WeChat %s answered something that is not a JSON object", path)
            raise WeChatUnavailable
        return reply

    async def _send(
        self, method: str, path: str, *, params: dict[str, str] | None, body: dict[str, Any] | None
    ) -> httpx.Response:
        headers = {"User-Agent": "bai"}
        content = None
        if body is not None:
            content = msgspec.json.encode(body)
            headers["Content-Type"] = "application/json"
        request = httpx.Request(
            method,
            self._base_url + path,
            params=params,
            content=content,
            headers=headers,
            extensions={"timeout": self._timeout},
        )
        try:
            response = await self._transport.handle_async_request(request)
        except (httpx.ConnectError, httpx.ConnectTimeout):  # never sent: WeChat saw nothing
            response = await self._transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response


def check_errcode(
    reply: dict[str, Any], *, path: str, rejected: type[BaiError], token_sent: bool = False
) -> None:
    """Raise what an errcode means; a missing or zero errcode is success. An errcode about the
    access token (40001, 40014, 42001) on a call that carried none is WeChat misbehaving."""
    errcode = reply.get("errcode") or 0
    if not isinstance(errcode, int) or errcode == 0:
        return
    if errcode in CONFIGURATION_ERRCODES:
        logger.error(
            "WeChat refused our configuration on %s (errcode %s): check BAI_WECHAT_APPID, "
            "BAI_WECHAT_SECRET and the API IP whitelist",
            path,
            errcode,
        )
        raise WeChatMisconfigured
    if errcode == QUOTA_ERRCODE:
        raise WeChatQuotaExceeded
    if errcode in ACCESS_TOKEN_ERRCODES and token_sent:
        raise AccessTokenRejected
    if errcode == BUSY_ERRCODE or errcode in ACCESS_TOKEN_ERRCODES:
        logger.warning("WeChat %s failed (errcode %s)", path, errcode)
        raise WeChatUnavailable
    logger.info("WeChat %s refused the request (errcode %s)", path, errcode)
    raise rejected
