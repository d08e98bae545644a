"""The write transactions of every SQLAlchemy adapter, and the queue SQLite's go through.

SQLite lets one writer in at a time; the others poll its lock, sleeping up to 100 ms between
tries, and whoever asks at the right moment gets it, not whoever asked first. With every pooled
connection of every worker polling, one write could lose every try for the whole busy timeout
and fail while the lock was never held for long. So the writers of a process queue for their
turn (first come, first served) and only the first of them asks SQLite, with `BEGIN IMMEDIATE`
(the lock is taken before anything is done, so a refusal is safe to ask again): SQLite then has
one waiter per process, and a write fails only after WRITE_WAIT_SECONDS in all.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Engine, Table, delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bai.adapters.rows.outages import storage_errors, unavailable

WRITE_WAIT_SECONDS = 15.0
SWEEP_BATCH = 1000  # rows a sweep removes per transaction: it never holds the writers long


class SqliteWriteQueue:
    """The turn of a process's writers on one SQLite file, per event loop."""

    def __init__(self, wait_seconds: float) -> None:
        self.wait_seconds = wait_seconds
        self._turns: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            WeakKeyDictionary()
        )

    def turn(self) -> asyncio.Lock:
        return self._turns.setdefault(asyncio.get_running_loop(), asyncio.Lock())


_QUEUES: WeakKeyDictionary[Engine, SqliteWriteQueue] = WeakKeyDictionary()


def queue_writes(engine: AsyncEngine, *, wait_seconds: float = WRITE_WAIT_SECONDS) -> None:
    """Make the writes of `engine` (a SQLite one) go through a queue of their own."""
    _QUEUES[engine.sync_engine] = SqliteWriteQueue(wait_seconds)


@asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One transaction that writes; connection trouble inside it is `StorageUnavailable`."""
    queue = _QUEUES.get(engine.sync_engine)
    if queue is None:
        async with storage_errors(), engine.begin() as connection:
            yield connection
        return
    turn = queue.turn()
    deadline = asyncio.get_running_loop().time() + queue.wait_seconds
    try:
        async with asyncio.timeout_at(deadline):
            await turn.acquire()
    except TimeoutError as exc:
        waited = TimeoutError(f"no turn to write in {queue.wait_seconds:g} s")
        raise unavailable(waited) from exc
    try:
        async with storage_errors(), engine.begin() as connection:
            await _begin_immediate(connection, deadline)
            yield connection
    finally:
        turn.release()


async def _begin_immediate(connection: AsyncConnection, deadline: float) -> None:
    """Take SQLite's write lock, asking again while it is busy until `deadline`."""
    while True:
        try:
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            locked = "database is locked" in str(exc.orig)
            if not locked or asyncio.get_running_loop().time() >= deadline:
                raise
        else:
            return


async def inserted_unless_taken(
    engine: AsyncEngine,
    insert: Callable[[Table], Any],
    table: Table,
    row: dict[str, Any],
    *,
    key: str,
) -> bool:
    """Insert `row` into `table` (keyed by `id`) unless another row holds its `key` (then False,
    nothing changed): one `INSERT … ON CONFLICT (key) DO NOTHING RETURNING id`, so of concurrent
    inserts of one key the unique index lets one in. `insert`: the dialect's."""
    statement = (
        insert(table).values(row).on_conflict_do_nothing(index_elements=[key]).returning(table.c.id)
    )
    async with write_transaction(engine) as connection:
        return (await connection.execute(statement)).first() is not None


async def changed(engine: AsyncEngine, statement: Any) -> int:
    """Run `statement` in a write transaction of its own; the rows it changed."""
    async with write_transaction(engine) as connection:
        return int((await connection.execute(statement)).rowcount)


async def delete_in_batches(engine: AsyncEngine, table: Table, due: ColumnElement[bool]) -> int:
    """Remove the rows of `table` (keyed by `id`) that are `due`, SWEEP_BATCH in each write
    transaction, until a batch finds fewer; how many in all."""
    key = table.c.id
    batch = delete(table).where(key.in_(select(key).where(due).limit(SWEEP_BATCH)))
    removed = 0
    while True:
        removed += (deleted := await changed(engine, batch))
        if deleted < SWEEP_BATCH:
            return removed
