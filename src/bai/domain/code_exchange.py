"""One WeChat exchange per login code, however many requests carry it and wherever they land."""

import asyncio
import hashlib
from contextlib import suppress
from typing import Final

from bai.domain.errors import (
    BaiError,
    LoginCodeRejected,
    StorageUnavailable,
    WeChatMisconfigured,
    WeChatQuotaExceeded,
    WeChatUnavailable,
    WeChatUnreachable,
)
from bai.domain.values import LoginCode, WeChatIdentity
from bai.ports.login_code_ledger import CodeAnswer, CodeFailure, LoginCodeLedger
from bai.ports.wechat_gateway import WeChatGateway

ANSWER_KEPT_SECONDS = 60
CLAIM_ATTEMPTS = 3
FAILURES: Final[dict[CodeFailure, type[BaiError]]] = {
    CodeFailure.REFUSED: LoginCodeRejected,
    CodeFailure.QUOTA: WeChatQuotaExceeded,
    CodeFailure.MISCONFIGURED: WeChatMisconfigured,
    CodeFailure.FAILED: WeChatUnavailable,
}


def code_key(code: LoginCode, app: str) -> str:
    """What the ledger knows a code by: the SHA-256 of the app id and the code, never the code
    itself (an answer is an openid of that app alone)."""
    return hashlib.sha256(f"{app}\n{code.value}".encode()).hexdigest()


class LoginCodeExchange:
    """Who a login code belongs to, asking WeChat once per code.

    - Requests that carry one code at the same moment share one WeChat exchange and its answer,
      in every process and on every host that shares the ledger: a double-tap split over two
      hosts is two successes, not a success and a refusal of the spent code.
    - Whatever came of an exchange once WeChat answered (the identity, its refusal of the code,
      its quota, or a failure: an errcode, an answer malformed or out of bounds) is kept at once
      for `ANSWER_KEPT_SECONDS`, well within a code's five minutes, and is the answer of every
      request with that code meanwhile: WeChat may have spent the code, so it is never sent
      twice. The code itself is never kept.
    - When no answer came back (WeChat unreachable, timed out, hung up) or the asker gave up
      while waiting, nothing is kept: the claim is released and the next request may ask again.
    - The outcome is recorded even if the request that asked gives up meanwhile; if it cannot
      be recorded (the store is away), the caller still gets its answer and the claim lapses on
      its own.
    """

    def __init__(self, *, wechat: WeChatGateway, ledger: LoginCodeLedger) -> None:
        self._wechat = wechat
        self._ledger = ledger

    async def identity(self, code: LoginCode, *, app: str) -> WeChatIdentity:
        """Who holds `code` in the mini-program `app`."""
        key = code_key(code, app)
        for _ in range(CLAIM_ATTEMPTS):
            claim = await self._ledger.claim(key)
            if claim.mine:
                return await self._exchange(code, app, key)
            answer = claim.answer or await self._ledger.wait(key)
            if answer is not None:
                return _identity(answer)
        raise WeChatUnavailable

    async def _exchange(self, code: LoginCode, app: str, key: str) -> WeChatIdentity:
        try:
            identity = await self._wechat.code_to_session(code, app=app)
        except WeChatUnreachable:
            await self._release(key)
            raise
        except Exception as error:
            await self._settle(key, CodeAnswer(None, _failure(error)))
            raise
        except BaseException:
            await self._release(key)
            raise
        await self._settle(key, CodeAnswer(identity))
        return identity

    async def _settle(self, key: str, answer: CodeAnswer) -> None:
        with suppress(StorageUnavailable):
            await asyncio.shield(self._ledger.settle(key, answer, keep_seconds=ANSWER_KEPT_SECONDS))

    async def _release(self, key: str) -> None:
        with suppress(StorageUnavailable):
            await asyncio.shield(self._ledger.release(key))


def _failure(error: Exception) -> CodeFailure:
    kinds = FAILURES.items()
    return next((failure for failure, kind in kinds if isinstance(error, kind)), CodeFailure.FAILED)


def _identity(answer: CodeAnswer) -> WeChatIdentity:
    if answer.identity is None:
        raise FAILURES[answer.failure]
    return answer.identity
