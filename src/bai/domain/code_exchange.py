"""One WeChat exchange per login code, however many requests carry it and wherever they land."""

import asyncio
import hashlib
from contextlib import suppress
from dataclasses import dataclass
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
from bai.ports.login_code_ledger import CodeAnswer, CodeFailure, LoginCodeLedger, Settlement
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


@dataclass(frozen=True, slots=True)
class Vouched:
    """Who WeChat says holds a code, and its answer when the caller is to record it."""

    identity: WeChatIdentity
    settlement: Settlement | None = None


class LoginCodeExchange:
    """Who a login code belongs to, asking WeChat once per code.

    - Requests that carry one code at the same moment share one WeChat exchange and its answer,
      in every process and on every host that shares the ledger: a double-tap split over two
      hosts is two successes, not a success and a refusal of the spent code.
    - Whatever came of an exchange once WeChat answered (the identity, its refusal of the code,
      its quota, or a failure: an errcode, an answer malformed or out of bounds) is kept at once
      (an identity, with `vouch(defer=True)`, by the statement that signs its holder in) for
      `ANSWER_KEPT_SECONDS`, well within a code's five minutes, and is the answer of every
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
        return (await self.vouch(code, app=app)).identity

    async def vouch(self, code: LoginCode, *, app: str, defer: bool = False) -> Vouched:
        """As `identity`; with `defer`, an identity WeChat has just given is left for the
        caller to record (`Vouched.settlement`): it hands it to the step that signs the holder
        in, which records it in its own statement, or to `record` when that step fails."""
        key = code_key(code, app)
        for _ in range(CLAIM_ATTEMPTS):
            claim = await self._ledger.claim(key)
            if claim.mine:
                return await self._exchange(code, app, key, defer=defer)
            answer = claim.answer or await self._ledger.wait(key)
            if answer is not None:
                return Vouched(_identity(answer))
        raise WeChatUnavailable

    async def _exchange(self, code: LoginCode, app: str, key: str, *, defer: bool) -> Vouched:
        try:
            identity = await self._wechat.code_to_session(code, app=app)
        except WeChatUnreachable:
            await self._release(key)
            raise
        except Exception as error:
            await self.record(
                Settlement(key, CodeAnswer(None, _failure(error)), ANSWER_KEPT_SECONDS)
            )
            raise
        except BaseException:
            await self._release(key)
            raise
        settlement = Settlement(key, CodeAnswer(identity), ANSWER_KEPT_SECONDS)
        if defer:
            return Vouched(identity, settlement)
        await self.record(settlement)
        return Vouched(identity)

    async def record(self, settlement: Settlement) -> None:
        """Record an answer (kept even if the caller gives up meanwhile; when the store is
        away, the claim lapses on its own)."""
        with suppress(StorageUnavailable):
            await asyncio.shield(
                self._ledger.settle(
                    settlement.key, settlement.answer, keep_seconds=settlement.keep_seconds
                )
            )

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
