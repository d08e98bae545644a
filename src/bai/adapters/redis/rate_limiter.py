import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("bai.rate_limit")
PREFIX = "bai:rate:"


class RedisRateLimiter:
    """Fixed-window counters in Redis, shared by every process and host.

    One round trip per request: INCR and EXPIRE NX in a pipeline. When Redis cannot be
    reached the request is let through (a rate limiter must not take the service down with it)
    and a warning is logged.
    """

    def __init__(self, client: "Redis") -> None:
        self._client = client

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> int:
        name = f"{PREFIX}{window_seconds}:{key}"
        try:
            async with self._client.pipeline(transaction=True) as pipeline:
                pipeline.incr(name)
                pipeline.expire(name, window_seconds, nx=True)
                pipeline.ttl(name)
                count, _, ttl = await pipeline.execute()
        except (RedisError, OSError) as exc:
            logger.warning(
                "rate limiter: Redis unavailable (%s), letting the request through",
                type(exc).__name__,
            )
            return 0
        return 0 if int(count) <= limit else max(1, int(ttl))
