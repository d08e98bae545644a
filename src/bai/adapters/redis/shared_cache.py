import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bai.adapters.redis.client import delete_if_equal

logger = logging.getLogger("bai.shared_cache")
PREFIX = "bai:cache:"


class RedisSharedCache:
    def __init__(self, client: "Redis") -> None:
        self._client = client
        self._discard_if_same = delete_if_equal(client)

    async def get(self, key: str) -> str | None:
        try:
            value = await self._client.get(PREFIX + key)
        except (RedisError, OSError) as exc:
            logger.warning("shared cache unavailable: %s", type(exc).__name__)
            return None
        return str(value) if value is not None else None

    async def put(self, key: str, value: str, *, ttl_seconds: int) -> None:
        try:
            await self._client.set(PREFIX + key, value, ex=max(1, ttl_seconds))
        except (RedisError, OSError) as exc:
            logger.warning("shared cache unavailable: %s", type(exc).__name__)

    async def discard(self, key: str, value: str) -> None:
        try:
            await self._discard_if_same(keys=[PREFIX + key], args=[value])
        except (RedisError, OSError) as exc:
            logger.warning("shared cache unavailable: %s", type(exc).__name__)


def shared_cache(client: "Redis | None") -> RedisSharedCache | None:
    return RedisSharedCache(client) if client is not None else None
