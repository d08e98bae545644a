"""The calls to WeChat's server API and the meaning of its errcodes."""

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeVar
from urllib.parse import urlencode

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


class WeChatAnswer(msgspec.Struct):
    """What every answer of WeChat's API may carry: an errcode (missing, null or 0: success).
    Each call decodes its answer into a subclass naming the fields it reads; fields it does not
    name are skipped, a named field of another type makes the answer unusable."""

    errcode: int | None = None


Answer = TypeVar("Answer", bound=WeChatAnswer)


class AccessTokenRejected(Exception):
    """WeChat refused the access token we sent (expired or replaced)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A method and path of WeChat's API, with the query every call to it carries, prepared
    once (the URL parsed by httpx once, its headers made once): `WeChatApi.endpoint`."""

    method: str
    path: str
    url: httpx.URL
    query: str
    headers: httpx.Headers


class WeChatApi:
    """Calls WeChat and decodes its answer into the call's `WeChatAnswer`, or raises
    `WeChatUnreachable` (no answer came back in time) or `WeChatUnavailable` (an answer that is
    not one: HTTP 5xx, not a JSON object, a field of the wrong type, nested too deep).

    WeChat answers errors with HTTP 200, sometimes as `text/plain`, so the body is decoded as
    JSON whatever its content type. Only a failed connect is tried again: a request that
    reached WeChat may have used up a single-use code. `total_timeout` bounds the whole call,
    `connect_timeout` each connect.
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
        self._total_timeout = total_timeout
        self._extensions = {"timeout": {"connect": connect_timeout or total_timeout}}
        self._decoders: dict[type[Any], msgspec.json.Decoder[Any]] = {}

    def endpoint(self, method: str, path: str, query: Mapping[str, str] | None = None) -> Endpoint:
        """`path` called with `method`, every call carrying `query` (an app's id and secret)."""
        headers = {"User-Agent": "bai"}
        if method == "POST":
            headers["Content-Type"] = "application/json"
        return Endpoint(
            method,
            path,
            httpx.URL(self._base_url + path),
            urlencode(query or {}),
            httpx.Headers(headers),
        )

    async def call(
        self,
        endpoint: Endpoint,
        answer: type[Answer],
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Answer:
        try:
            async with asyncio.timeout(self._total_timeout):
                response = await self._send(endpoint, params, body)
        except (httpx.HTTPError, TimeoutError) as exc:
            logger.warning("WeChat %s failed: %s", endpoint.path, type(exc).__name__)
            raise WeChatUnreachable from exc
        if response.status_code >= 500:  # noqa: PLR2004
            logger.warning("WeChat %s answered HTTP %s", endpoint.path, response.status_code)
            raise WeChatUnavailable
        decoder = self._decoders.get(answer) or self._decoders.setdefault(
            answer, msgspec.json.Decoder(answer)
        )
        try:
            return decoder.decode(response.content)  # type: ignore[no-any-return]
        except (msgspec.DecodeError, RecursionError):  # msgspec recurses into nested values
            logger.warning("WeChat %s answered something that is not its answer", endpoint.path)
            raise WeChatUnavailable from None

    async def _send(
        self, endpoint: Endpoint, params: Mapping[str, str] | None, body: Mapping[str, Any] | None
    ) -> httpx.Response:
        query = endpoint.query
        if params:
            query = f"{query}&{urlencode(params)}" if query else urlencode(params)
        request = httpx.Request(
            endpoint.method,
            with_query(endpoint.url, query),
            content=None if body is None else msgspec.json.encode(body),
            headers=endpoint.headers,
            extensions=self._extensions,
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
    errcode: int | None, *, path: str, rejected: type[BaiError], token_sent: bool = False
) -> None:
    """Raise what an errcode means; a missing or zero errcode is success. An errcode about the
    access token (40001, 40014, 42001) on a call that carried none is WeChat misbehaving."""
    if not errcode:
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
