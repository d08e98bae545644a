from typing import Any

import redis
from redis.asyncio import Redis

SOCKET_TIMEOUT_SECONDS = 0.25
PING_SECONDS = 1.0
_DELETE_IF_EQUAL = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


def redis_client(url: str) -> "Redis | None":
    """A pooled client with short timeouts, or None when no Redis is configured."""
    if not url:
        return None
    return Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
        decode_responses=True,
    )


def why_no_answer(url: str) -> str | None:
    """None when the Redis at `url` answers a PING within PING_SECONDS; otherwise why not, in
    the client's words (asked at start, before serving)."""
    client = redis.Redis.from_url(
        url, socket_timeout=PING_SECONDS, socket_connect_timeout=PING_SECONDS
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    finally:
        client.close()
    return None


def delete_if_equal(client: "Redis") -> Any:
    """A script that deletes `keys=[key]` only while it holds `args=[value]`, in one step."""
    return client.register_script(_DELETE_IF_EQUAL)
