"""The transport to WeChat's server API and the meaning of its errcodes."""

import asyncio
import logging
from typing import Any, Final

import aiohttp
import httpx
import msgspec

from bai.adapters.wechat.httpx_url import with_query
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
        # The transport is called directly: WeChat's API needs none of httpx's client
        # (why: docs/performance.md#wechat-calls-without-httpxs-client).
        self._transport = transport
        self._base_url = base_url.rstrip("/")
        self._urls: dict[str, httpx.URL] = {}  # each path's URL, parsed by httpx once
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
        url = self._urls.get(path) or self._urls.setdefault(path, httpx.URL(self._base_url + path))
        request = httpx.Request(
            method,
            with_query(url, params or {}),
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
