"""The SQLAlchemy engine's pool on PostgreSQL (and through PgBouncer): a burst of work larger
than the pool waits its turn while the database answers, and is never refused after a second
(issue 26: 5 of 23,067 refreshes answered 500 at saturation)."""

import asyncio

import pytest
from sqlalchemy import text

from bai.adapters.sqlalchemy.engine import create_engine


@pytest.mark.parametrize("database_url", ["postgresql", "pgbouncer"], indirect=True)
async def test_a_burst_larger_than_the_pool_waits_its_turn(database_env: dict[str, str]) -> None:
    pooled = database_env.get("BAI_DATABASE_POOL_MODE") == "transaction"  # PgBouncer's mode
    engine = create_engine(
        database_env["BAI_DATABASE_URL"], pool_size=2, transaction_pooling=pooled
    )
    try:

        async def statement() -> int:
            async with engine.connect() as connection:
                # Each holds its connection 0.25 s: 21 of them on 3 connections keep the last
                # waiting 1.5 s, longer than a statement may run, far less than the busy wait.
                await connection.execute(text("SELECT pg_sleep(0.25)"))
                return int((await connection.execute(text("SELECT 1"))).scalar_one())

        answers = await asyncio.gather(*(statement() for _ in range(21)), return_exceptions=True)
    finally:
        await engine.dispose()

    assert answers == [1] * 21
