"""The rate limiter's contract, in memory and on the real Redis."""

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from bai.adapters.memory.rate_limiter import InMemoryRateLimiter
from bai.adapters.redis.client import redis_client
from bai.adapters.redis.rate_limiter import RedisRateLimiter
from bai.adapters.system.clock import SystemClock
from bai.entrypoints.http.rate_limit import RateLimiter


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[RateLimiter]:
    if request.param == "memory":
        yield InMemoryRateLimiter(SystemClock())
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    assert client is not None
    yield RedisRateLimiter(client)
    await client.aclose()


def key() -> str:
    return f"test:{secrets.token_hex(6)}"


async def test_requests_within_the_limit_pass(limiter: RateLimiter) -> None:
    name = key()
    assert [await limiter.hit(name, limit=3, window_seconds=60) for _ in range(3)] == [0, 0, 0]


async def test_the_request_over_the_limit_is_told_when_to_retry(limiter: RateLimiter) -> None:
    name = key()
    for _ in range(3):
        await limiter.hit(name, limit=3, window_seconds=60)

    retry_after = await limiter.hit(name, limit=3, window_seconds=60)

    assert 1 <= retry_after <= 60


async def test_keys_are_counted_apart(limiter: RateLimiter) -> None:
    first, second = key(), key()
    await limiter.hit(first, limit=1, window_seconds=60)

    assert await limiter.hit(second, limit=1, window_seconds=60) == 0


async def test_concurrent_requests_are_all_counted(limiter: RateLimiter) -> None:
    name = key()

    outcomes = await asyncio.gather(
        *(limiter.hit(name, limit=10, window_seconds=60) for _ in range(30))
    )

    assert sum(outcome == 0 for outcome in outcomes) == 10


async def test_a_new_window_starts_afresh(limiter: RateLimiter) -> None:
    name = key()
    await limiter.hit(name, limit=1, window_seconds=1)
    await asyncio.sleep(1.1)

    assert await limiter.hit(name, limit=1, window_seconds=1) == 0


async def test_an_unreachable_redis_lets_requests_through() -> None:
    client = redis_client("redis://127.0.0.1:1/0")
    assert client is not None
    try:
        assert await RedisRateLimiter(client).hit(key(), limit=0, window_seconds=60) == 0
    finally:
        await client.aclose()
