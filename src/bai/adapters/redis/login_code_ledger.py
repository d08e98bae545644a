import logging

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bai.adapters.polling import STILL_PENDING, StillPending, poll
from bai.adapters.redis.client import delete_if_equal
from bai.domain.values import WeChatIdentity
from bai.ports.login_code_ledger import (
    CLAIM_SECONDS,
    CodeAnswer,
    CodeClaim,
    CodeFailure,
    LoginCodeLedger,
)

logger = logging.getLogger("bai.login_codes")
PREFIX = "bai:code:"
PENDING = "pending"
POLL_SECONDS = 0.01


class _Stored(msgspec.Struct):
    openid: str | None
    unionid: str = ""
    failure: CodeFailure = CodeFailure.REFUSED


def _answer(value: str | bytes | None) -> CodeAnswer | None:
    if value is None or value == PENDING:
        return None
    stored = msgspec.json.decode(value, type=_Stored)
    if stored.openid is None:
        return CodeAnswer(None, stored.failure)
    return CodeAnswer(WeChatIdentity(openid=stored.openid, unionid=stored.unionid))


def _stored(answer: CodeAnswer) -> bytes:
    identity = answer.identity
    if identity is None:
        return msgspec.json.encode(_Stored(openid=None, failure=answer.failure))
    return msgspec.json.encode(_Stored(openid=identity.openid, unionid=identity.unionid))


class RedisLoginCodeLedger(LoginCodeLedger):
    """The ledger in Redis, for deployments that have it: one round trip to claim, and waiters
    poll a key. When Redis cannot be reached, the call goes to `fallback` (the database's
    ledger, which every process shares too) and a warning is logged: logins keep their one
    exchange per code through a Redis outage."""

    def __init__(
        self,
        client: "Redis",
        *,
        fallback: LoginCodeLedger,
        claim_seconds: float = CLAIM_SECONDS,
    ) -> None:
        self._client = client
        self._fallback = fallback
        self._claim_ms = int(claim_seconds * 1000)
        self._claim_seconds = claim_seconds
        self._release_if_pending = delete_if_equal(client)

    async def claim(self, key: str) -> CodeClaim:
        try:
            if await self._client.set(PREFIX + key, PENDING, nx=True, px=self._claim_ms):
                return CodeClaim(mine=True)
            return CodeClaim(answer=_answer(await self._client.get(PREFIX + key)))
        except (RedisError, OSError) as exc:
            _unavailable(exc)
            return await self._fallback.claim(key)

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        try:
            await self._client.set(PREFIX + key, _stored(answer), ex=keep_seconds)
        except (RedisError, OSError) as exc:
            _unavailable(exc)
            await self._fallback.settle(key, answer, keep_seconds=keep_seconds)

    async def release(self, key: str) -> None:
        try:
            await self._release_if_pending(keys=[PREFIX + key], args=[PENDING])
        except (RedisError, OSError) as exc:
            _unavailable(exc)
            await self._fallback.release(key)

    async def wait(self, key: str) -> CodeAnswer | None:
        async def answer() -> CodeAnswer | StillPending | None:
            value = await self._client.get(PREFIX + key)
            return STILL_PENDING if value == PENDING else _answer(value)

        try:
            return await poll(answer, seconds=self._claim_seconds, every=POLL_SECONDS)
        except (RedisError, OSError) as exc:
            _unavailable(exc)
            return await self._fallback.wait(key)


def _unavailable(exc: Exception) -> None:
    logger.warning(
        "login code ledger: Redis unavailable (%s), using the database's", type(exc).__name__
    )
