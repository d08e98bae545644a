import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from bai.adapters.sqlalchemy.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine
from bai.adapters.sqlalchemy.transactions import queue_writes
from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with
from tests.support.concurrent_client import concurrent_client
from tests.support.fakes import FakeWeChatGateway


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


def _impatient(connection: Any, _: Any) -> None:
    connection.execute("PRAGMA busy_timeout=0")


async def test_a_write_that_never_gets_the_lock_is_a_500_whose_line_says_why(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wechat = FakeWeChatGateway()
    container = container_with(tmp_path, {"BAI_DATABASE_URL": sqlite_url}, wechat=wechat)
    engine = container.adapters.storage().engine
    event.listen(engine.sync_engine, "connect", _impatient)  # after BAI's own pragmas
    queue_writes(engine, wait_seconds=0)
    other = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        async with concurrent_client(create_app(container)) as client:
            code = wechat.login_code("locked", openid="locked")
            answer = await client.post("/pb/api/wechat/login", json={"users_wx_code": code})
    finally:
        other.close()

    assert answer.status_code == 500
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "request failed: StorageUnavailable (OperationalError: database is locked)" in failed
