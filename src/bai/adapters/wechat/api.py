"""The transport to WeChat's server API and the meaning of its errcodes."""

import asyncio
import logging
import re
from typing import Any, Final

import httpx
import msgspec
from httpx_aiohttp import AiohttpTransport

from bai.domain.errors import (
    BaiError,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
)

logger = logging.getLogger("bai.wechat")

CONFIGURATION_ERRCODES: Final = frozenset({40013, 40125, 40164, 41002, 41004, 89503})
ACCESS_TOKEN_ERRCODES: Final = frozenset({40001, 40014, 42001})
QUOTA_ERRCODE: Final = 45011
BUSY_ERRCODE: Final = -1
_SECRET_QUERY = re.compile(r"((?:secret|js_code|access_token|code)=)[^&\s\"']+")


class AccessTokenRejected(Exception):
    """WeChat refused the access token we sent (expired or replaced)."""


class _RedactSecrets(logging.Filter):
    """httpx logs whole URLs at INFO, and WeChat's carry the app secret and codes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _SECRET_QUERY.sub(r"\1***", record.getMessage())
        record.args = None
        return True


logging.getLogger("httpx").addFilter(_RedactSecrets())


def new_http_client(
    base_url: str, *, connect_timeout: float, total_timeout: float
) -> httpx.AsyncClient:
    """One pooled client for the app's lifetime: httpx's API on aiohttp's connection pool (the
    default pool, httpcore, spent a third of a login scanning its idle connections)."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=32)
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(total_timeout, connect=connect_timeout),
        transport=AiohttpTransport(limits=limits),
        headers={"User-Agent": "bai"},
    )


class WeChatApi:
    """Calls WeChat and hands back its JSON object, or raises `WeChatUnavailable`.

    WeChat answers errors with HTTP 200, sometimes as `text/plain`, so the body is decoded as
    JSON whatever its content type. Only a failed connect is tried again: a request that
    reached WeChat may have used up a single-use code.
    """

    def __init__(self, client: httpx.AsyncClient, *, total_timeout: float) -> None:
        self._client = client
        self._total_timeout = total_timeout

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
        except (httpx.HTTPError, TimeoutError) as exc:
            logger.warning("WeChat %s failed: %s", path, type(exc).__name__)
            raise WeChatUnavailable from exc
        if response.status_code >= 500:  # noqa: PLR2004
            logger.warning("WeChat %s answered HTTP %s", path, response.status_code)
            raise WeChatUnavailable
        try:
            reply = msgspec.json.decode(response.content)
        except msgspec.DecodeError as exc:
            logger.warning("WeChat %s answered something that is not JSON", path)
            raise WeChatUnavailable from exc
        if not isinstance(reply, dict):
            raise WeChatUnavailable
        return reply

    async def _send(
        self, method: str, path: str, *, params: dict[str, str] | None, body: dict[str, Any] | None
    ) -> httpx.Response:
        content = msgspec.json.encode(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else None
        try:
            return await self._client.request(
                method, path, params=params, content=content, headers=headers
            )
        except (httpx.ConnectError, httpx.ConnectTimeout):
            return await self._client.request(
                method, path, params=params, content=content, headers=headers
            )


def check_errcode(reply: dict[str, Any], *, path: str, rejected: type[BaiError]) -> None:
    """Raise what an errcode means; a missing or zero errcode is success."""
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
    if errcode == BUSY_ERRCODE:
        raise WeChatUnavailable
    if errcode in ACCESS_TOKEN_ERRCODES:
        raise AccessTokenRejected
    logger.info("WeChat %s refused the request (errcode %s)", path, errcode)
    raise rejected
