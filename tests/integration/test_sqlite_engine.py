import pytest
from sqlalchemy import text

from bai.adapters.sqlalchemy.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar_one()
            busy = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
    finally:
        await engine.dispose()

    assert journal == "wal"
    assert busy == SQLITE_BUSY_TIMEOUT_MS


@pytest.mark.parametrize(
    "url", ["mysql+aiomysql://u@h/db", "postgresql+psycopg://u@h/db", "sqlite:///plain.db"]
)
def test_databases_and_drivers_the_adapters_do_not_speak_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported database URL"):
        create_engine(url)
