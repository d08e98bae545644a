import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bai.ports.failed_attempts import FailedAttempts

logger = logging.getLogger("bai.console")
PREFIX = "bai:attempts:"


class RedisFailedAttempts(FailedAttempts):
    """Failures as a counter that lives for the window (INCR, EXPIRE NX), and the lock as a key
    that lives for its time (SET EX NX): shared by every process and host."""

    def __init__(self, client: "Redis") -> None:
        self._client = client

    async def locked_for(self, key: str) -> int:
        try:
            left = int(await self._client.ttl(f"{PREFIX}lock:{key}"))
        except (RedisError, OSError) as exc:
            return _unavailable(exc)
        return max(left, 0)

    async def fail(self, key: str, *, limit: int, window_seconds: int, lock_seconds: int) -> int:
        failures, lock = f"{PREFIX}fail:{key}", f"{PREFIX}lock:{key}"
        try:
            async with self._client.pipeline(transaction=True) as pipeline:
                pipeline.incr(failures)
                pipeline.expire(failures, window_seconds, nx=True)
                count, _ = await pipeline.execute()
            if int(count) < limit:
                return 0
            # The count goes on (every attempt past the limit is refused, however many arrive
            # at once); the lock runs from the failure that set it.
            async with self._client.pipeline(transaction=True) as pipeline:
                pipeline.set(lock, "1", ex=lock_seconds, nx=True)
                pipeline.ttl(lock)
                _, left = await pipeline.execute()
        except (RedisError, OSError) as exc:
            return _unavailable(exc)
        return max(int(left), 1)

    async def forgive(self, key: str) -> None:
        failures = f"{PREFIX}fail:{key}"
        try:
            if int(await self._client.decr(failures)) <= 0:  # none left (or none was counted)
                await self._client.delete(failures)
        except (RedisError, OSError) as exc:
            _unavailable(exc)

    async def clear(self, key: str) -> None:
        try:
            await self._client.delete(f"{PREFIX}fail:{key}")
        except (RedisError, OSError) as exc:
            _unavailable(exc)


def _unavailable(exc: BaseException) -> int:
    logger.warning("failed sign-ins: Redis unavailable (%s), not counted", type(exc).__name__)
    return 0
