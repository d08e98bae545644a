"""The asyncpg pool's promises: a checkout waits for a busy pool while the database answers and
at most a second once it has stopped answering, and every connection comes back to the pool,
whatever happened while it was out."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bai.adapters.asyncpg.pool import TIMEOUT_SECONDS, LazyPool
from bai.adapters.rows.outages import BUSY_WAIT_SECONDS
from bai.domain.errors import StorageUnavailable


@pytest.fixture
async def pool(postgresql_url: str) -> AsyncIterator[LazyPool]:
    pool = LazyPool(postgresql_url, size=1)
    yield pool
    await pool.close()


async def _wait_for_a_full_pool(pool: LazyPool) -> float:
    """Seconds a checkout waits, while the pool's one connection is out, before it gives up."""
    async with pool.connection():
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            async with pool.connection():
                pass
        return time.monotonic() - started


async def test_a_checkout_waits_for_a_busy_pool_while_the_database_answers(
    pool: LazyPool,
) -> None:
    held = asyncio.Event()

    async def hold() -> None:  # longer than a second, as a burst of requests keeps a pool busy
        async with pool.connection():
            held.set()
            await asyncio.sleep(1.5 * TIMEOUT_SECONDS)

    holder = asyncio.create_task(hold())
    await held.wait()
    async with pool.connection() as connection:
        assert await connection.fetchval("SELECT 1") == 1

    assert holder.done()


async def test_a_full_pool_gives_up_after_a_second_once_the_database_stopped_answering(
    pool: LazyPool,
) -> None:
    with pytest.raises(StorageUnavailable):  # a statement that outlives its second
        async with pool.connection() as connection:
            await connection.execute("SELECT pg_sleep(3)")

    waited = await _wait_for_a_full_pool(pool)

    assert TIMEOUT_SECONDS * 0.9 <= waited < TIMEOUT_SECONDS * 2
    async with pool.connection() as connection:
        assert await connection.fetchval("SELECT 1") == 1


async def test_a_busy_pool_gives_up_after_its_longer_wait(pool: LazyPool) -> None:
    waited = await _wait_for_a_full_pool(pool)

    assert BUSY_WAIT_SECONDS * 0.9 <= waited < BUSY_WAIT_SECONDS * 1.5


async def test_a_connection_comes_back_after_an_error_or_a_cancel(pool: LazyPool) -> None:
    with pytest.raises(ZeroDivisionError):
        async with pool.connection():
            1 / 0  # noqa: B018

    held = asyncio.Event()

    async def hold() -> None:
        async with pool.connection() as connection:
            held.set()
            await connection.execute("SELECT pg_sleep(5)")

    holder = asyncio.create_task(hold())
    await held.wait()
    holder.cancel()
    with pytest.raises(asyncio.CancelledError):
        await holder

    async with pool.connection() as connection:
        assert await connection.fetchval("SELECT 2") == 2  # the only connection, usable again


async def test_a_transaction_left_open_is_rolled_back_before_the_next_checkout(
    pool: LazyPool,
) -> None:
    async def fail_inside_a_transaction() -> None:
        async with pool.connection() as connection:
            await connection.execute("BEGIN")
            await connection.execute("CREATE TEMP TABLE left_open (n int)")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await fail_inside_a_transaction()

    async with pool.connection() as connection:
        assert await connection.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
