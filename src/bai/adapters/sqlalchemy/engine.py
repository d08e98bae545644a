"""Pooled engines that give up on a connect or a statement after a second when the database is
away or hung, and recover when it returns. A checkout waits for a busy pool up to
BUSY_WAIT_SECONDS, whatever the database's state (unlike the asyncpg pool, which waits a second
only once the database has stopped answering): with a hung database a burst can wait that long
for a connection before its own second of connect or statement."""

from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bai.adapters.rows.outages import BUSY_WAIT_SECONDS

from .reads import read_in_transactions
from .transactions import queue_writes

CONNECT_TIMEOUT_SECONDS = 1.0
STATEMENT_TIMEOUT_SECONDS = 1.0
SQLITE_BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(connection: Any, _: Any) -> None:
    cursor = connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "synchronous=NORMAL",
        "foreign_keys=ON",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_sqlite_folder(url: str) -> None:
    """SQLite makes a missing database file but not a missing folder: make the folder of the
    file a SQLite `url` names (nothing for any other URL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in {None, "", ":memory:"}:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)


SUPPORTED = {("sqlite", "aiosqlite"), ("postgresql", "asyncpg")}


def _named_once() -> str:
    return f"__bai_{uuid4().hex}__"


# Behind PgBouncer in transaction mode a connection is another server session from one
# transaction to the next: each statement is prepared under a name of its own (two connections
# may meet on one session) and kept by no cache (a cached one may be on another session).
TRANSACTION_POOLED = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": _named_once,
}


def create_engine(
    url: str, *, pool_size: int = 10, transaction_pooling: bool = False
) -> AsyncEngine:
    """SQLite through aiosqlite, or PostgreSQL through asyncpg; any other URL is refused
    (`ValueError`): the connect arguments and the SQL of the adapters are for these two.
    `transaction_pooling`: PostgreSQL is reached through PgBouncer in transaction mode, where a
    statement is prepared and run inside a transaction (reads too), on one server session."""
    parsed = make_url(url)
    if (parsed.get_backend_name(), parsed.get_driver_name()) not in SUPPORTED:
        raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")
    if parsed.get_backend_name() == "sqlite":
        make_sqlite_folder(url)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        queue_writes(engine)
        return engine
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size // 2,
        pool_timeout=BUSY_WAIT_SECONDS,  # a burst larger than the pool waits its turn
        pool_recycle=1800,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "command_timeout": STATEMENT_TIMEOUT_SECONDS,
            "server_settings": {"application_name": "bai"},
            **(TRANSACTION_POOLED if transaction_pooling else {}),
        },
    )
    if transaction_pooling:
        read_in_transactions(engine)
    return engine
