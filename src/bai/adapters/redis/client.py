from redis.asyncio import Redis

SOCKET_TIMEOUT_SECONDS = 0.25


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
