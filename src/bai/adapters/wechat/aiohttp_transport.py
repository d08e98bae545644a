"""httpx's transport interface on aiohttp's connection pool, for the calls to WeChat.

why: docs/performance.md#the-wechat-transport-on-aiohttp
"""

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from bai.adapters.wechat.aiohttp_send_once import never_resend


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
    """One pooled transport for the app's lifetime."""
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=32, keepalive_expiry=5)
    return _SendOnceTransport(limits=limits)
