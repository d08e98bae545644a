"""The asyncpg pool's promises: a checkout waits at most a second, and every connection comes
back to the pool, whatever happened while it was out."""

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bai.adapters.asyncpg.pool import TIMEOUT_SECONDS, LazyPool
from bai.domain.errors import StorageUnavailable


@pytest.fixture
async def pool(postgresql_url: str) -> AsyncIterator[LazyPool]:
    pool = LazyPool(postgresql_url, size=1)
    yield pool
    await pool.close()


async def test_a_checkout_from_a_full_pool_gives_up_after_a_second(pool: LazyPool) -> None:
    async with pool.connection():
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            async with pool.connection():
                pass
        waited = time.monotonic() - started

    assert TIMEOUT_SECONDS * 0.9 <= waited < TIMEOUT_SECONDS * 2
    async with pool.connection() as connection:
        assert await connection.fetchval("SELECT 1") == 1


async def test_a_connection_comes_back_after_an_error_or_a_cancel(pool: LazyPool) -> None:
    with pytest.raises(ZeroDivisionError):
        async with pool.connection():
            1 / 0  # noqa: B018

    async def hold() -> None:
        async with pool.connection() as connection:
            await connection.execute("SELECT pg_sleep(5)")

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.2)
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
