"""The WeChat gateway, counted: every call by app, API and outcome, with its duration."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from bai.domain.values import LoginCode, PhoneCode, PhoneNumber, WeChatIdentity
from bai.ports.wechat_gateway import WeChatGateway

from .metrics import PrometheusMetrics


class MeteredWeChatGateway:
    """Wraps any `WeChatGateway` (the real API or the sandbox) and records each call: `ok`, or
    the name of what it raised (`LoginCodeRejected`, `WeChatUnavailable`, `CancelledError`...:
    the port's few errors, never anything a client wrote), labelled with the app id (a
    configured one: the core resolves it first), never a secret."""

    def __init__(self, inner: WeChatGateway, metrics: PrometheusMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    async def code_to_session(self, code: LoginCode, *, app: str) -> WeChatIdentity:
        with self._call(app, "jscode2session"):
            return await self._inner.code_to_session(code, app=app)

    async def phone_number(self, code: PhoneCode, *, openid: str, app: str) -> PhoneNumber:
        with self._call(app, "getuserphonenumber"):
            return await self._inner.phone_number(code, openid=openid, app=app)

    @contextmanager
    def _call(self, app: str, api: str) -> Iterator[None]:
        started, outcome = time.perf_counter(), "ok"
        try:
            yield
        except BaseException as error:
            outcome = type(error).__name__
            raise
        finally:
            self._metrics.wechat_call(app, api, outcome, time.perf_counter() - started)
