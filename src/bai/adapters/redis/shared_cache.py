import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("bai.shared_cache")
PREFIX = "bai:cache:"
_DISCARD_IF_SAME = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


class RedisSharedCache:
    def __init__(self, client: "Redis") -> None:
        self._client = client
        self._discard: Any = client.register_script(_DISCARD_IF_SAME)

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
            await self._discard(keys=[PREFIX + key], args=[value])
        except (RedisError, OSError) as exc:
            logger.warning("shared cache unavailable: %s", type(exc).__name__)


def shared_cache(client: "Redis | None") -> RedisSharedCache | None:
    return RedisSharedCache(client) if client is not None else None
