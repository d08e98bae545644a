"""The failed sign-in counter's contract (the console's lockout), in memory and on the real
Redis; and that an unreachable Redis lets sign-ins be judged by the password alone."""

import asyncio
import secrets
from collections.abc import AsyncIterator

import pytest

from bai.adapters.memory.failed_attempts import InMemoryFailedAttempts
from bai.adapters.redis.client import redis_client
from bai.adapters.redis.failed_attempts import RedisFailedAttempts
from bai.adapters.system.clock import SystemClock
from bai.ports.failed_attempts import FailedAttempts

LIMIT, WINDOW, LOCK = 5, 900, 900


@pytest.fixture(params=["memory", "redis"])
async def attempts(request: pytest.FixtureRequest) -> AsyncIterator[FailedAttempts]:
    if request.param == "memory":
        yield InMemoryFailedAttempts(SystemClock())
        return
    client = redis_client(request.getfixturevalue("redis_url"))
    assert client is not None
    yield RedisFailedAttempts(client)
    await client.aclose()


def key() -> str:
    return f"test:{secrets.token_hex(6)}"


async def fail(attempts: FailedAttempts, name: str) -> int:
    return await attempts.fail(name, limit=LIMIT, window_seconds=WINDOW, lock_seconds=LOCK)


async def test_the_fifth_failure_locks_the_key_for_the_lock_time(attempts: FailedAttempts) -> None:
    name = key()

    first_four = [await fail(attempts, name) for _ in range(LIMIT - 1)]
    unlocked = await attempts.locked_for(name)
    fifth = await fail(attempts, name)

    assert first_four == [0] * (LIMIT - 1)
    assert unlocked == 0
    assert fifth == LOCK
    assert LOCK - 2 <= await attempts.locked_for(name) <= LOCK


async def test_a_success_forgets_the_failures_but_not_a_lock(attempts: FailedAttempts) -> None:
    name, locked = key(), key()
    for _ in range(LIMIT - 1):
        await fail(attempts, name)
    for _ in range(LIMIT):
        await fail(attempts, locked)

    await attempts.clear(name)
    await attempts.clear(locked)

    assert [await fail(attempts, name) for _ in range(LIMIT - 1)] == [0] * (LIMIT - 1)
    assert await attempts.locked_for(locked) > 0


async def test_keys_are_counted_apart(attempts: FailedAttempts) -> None:
    first, second = key(), key()
    for _ in range(LIMIT):
        await fail(attempts, first)

    assert await attempts.locked_for(second) == 0
    assert await fail(attempts, second) == 0


async def test_concurrent_failures_are_all_counted(attempts: FailedAttempts) -> None:
    name = key()

    outcomes = await asyncio.gather(*(fail(attempts, name) for _ in range(LIMIT)))

    assert sorted(outcomes) == [0] * (LIMIT - 1) + [LOCK]
    assert await attempts.locked_for(name) > 0


async def test_an_unreachable_redis_counts_nothing_and_locks_nobody(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = redis_client("redis://127.0.0.1:1/0")
    assert client is not None
    attempts = RedisFailedAttempts(client)
    try:
        outcomes = [await fail(attempts, "k") for _ in range(LIMIT + 1)]
        locked = await attempts.locked_for("k")
        await attempts.clear("k")
    finally:
        await client.aclose()

    assert outcomes == [0] * (LIMIT + 1)
    assert locked == 0
    assert "Redis unavailable" in caplog.text


async def test_failures_past_the_limit_stay_locked_however_many_arrive_at_once(
    attempts: FailedAttempts,
) -> None:
    name = key()

    outcomes = await asyncio.gather(*(fail(attempts, name) for _ in range(8 * LIMIT)))

    assert sorted(outcomes)[: LIMIT - 1] == [0] * (LIMIT - 1)
    assert all(LOCK - 2 <= each <= LOCK for each in sorted(outcomes)[LIMIT - 1 :])


async def test_a_forgiven_attempt_is_one_failure_less(attempts: FailedAttempts) -> None:
    name, untouched = key(), key()
    for _ in range(LIMIT - 1):
        await fail(attempts, name)

    await attempts.forgive(name)
    await attempts.forgive(untouched)  # nothing counted: nothing happens

    assert await fail(attempts, name) == 0  # the fourth failure again, not the fifth
    assert await fail(attempts, name) == LOCK
    assert [await fail(attempts, untouched) for _ in range(LIMIT - 1)] == [0] * (LIMIT - 1)
