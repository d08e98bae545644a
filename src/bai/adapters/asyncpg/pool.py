import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import asyncpg
from asyncpg.transaction import Transaction

from bai.adapters.rows.outages import BUSY_WAIT_SECONDS, unavailable
from bai.adapters.rows.retry import read_with_one_retry
from bai.domain.errors import StorageUnavailable

TIMEOUT_SECONDS = 1.0
# A checkout waits BUSY_WAIT_SECONDS for a busy pool while the database answers; once a connect
# or statement has failed, TIMEOUT_SECONDS again, until one succeeds, so a database that went
# away is reported fast.
# A connection that the server closed under us (a restart, a failover, `pg_terminate_backend`):
# a statement on a fresh connection may well succeed. asyncpg reports one killed while it sat
# in the pool as `InternalClientError` ("another operation is in progress") on its next use.
LOST_CONNECTION = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.exceptions.InternalClientError,
)
OUTAGES = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    # The database or role named is not there, or the password is wrong: for a request, the
    # storage is as unavailable as when it is down (the log line names which).
    asyncpg.exceptions.InvalidCatalogNameError,
    asyncpg.exceptions.InvalidAuthorizationSpecificationError,
    *LOST_CONNECTION,
)


def _lost(exc: Exception) -> bool:
    return isinstance(exc, StorageUnavailable) and isinstance(exc.__cause__, LOST_CONNECTION)


class Statements(Protocol):
    """What the adapters do with a checked-out connection: run one statement, or a few in a
    transaction. (asyncpg's pool hands out a proxy of a connection whose class is not part of
    its public API.)"""

    def transaction(self) -> Transaction: ...

    async def execute(self, query: str, *args: Any) -> str: ...

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]: ...

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...


class StatelessConnection(asyncpg.Connection):
    """A connection that BAI never leaves session state on (no SET, LISTEN, cursors or
    advisory locks: every request is single statements or one transaction), so returning it to
    the pool skips the reset round trip (`RESET ALL; UNLISTEN *; ...`) that would otherwise
    follow every query. asyncpg still rolls back a transaction left open."""

    def get_reset_query(self) -> str:
        return ""


class LazyPool:
    """An asyncpg pool opened on first use (providers stay synchronous) and closed with the app.

    Connect and statement each give up after a second, and so does a checkout once the
    database has stopped answering, so a database that is away or hung costs a request a second
    or two, never a hang; while it answers, a checkout may wait for a busy pool up to
    BUSY_WAIT_SECONDS. All `size` connections are opened
    with the pool (the first request, or the first health check): opening one under load cost
    the requests behind it a round of connect and TLS negotiation (docs/performance.md, change 13).
    """

    def __init__(self, url: str, *, size: int = 10, transaction_pooling: bool = False) -> None:
        self._dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self._size = size
        # Behind PgBouncer in transaction mode a connection is a different server session from
        # one transaction to the next: no named prepared statements may outlive a statement.
        self._statement_cache_size = 0 if transaction_pooling else 100
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._answering = True  # the last connect or statement succeeded

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=self._size,
                    max_size=self._size,
                    timeout=TIMEOUT_SECONDS,
                    command_timeout=TIMEOUT_SECONDS,
                    server_settings={"application_name": "bai"},
                    connection_class=StatelessConnection,
                    statement_cache_size=self._statement_cache_size,
                )
            return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Statements]:
        waiting = False
        try:
            pool = self._pool or await self._open()
            waiting = True
            # A timer, not `acquire(timeout=...)`: that runs each checkout as a task of its own.
            async with asyncio.timeout(BUSY_WAIT_SECONDS if self._answering else TIMEOUT_SECONDS):
                connection = await pool.acquire()
            waiting = False
            try:
                yield connection
                self._answering = True
            finally:
                await pool.release(connection)
        except OUTAGES as exc:
            if not waiting:  # a busy pool is not a database that stopped answering
                self._answering = False
            raise unavailable(exc) from exc
        except asyncpg.UndefinedTableError as exc:
            raise unavailable(exc) from exc

    async def read(self, query: str, *args: Any) -> list[asyncpg.Record]:
        """The rows of one reading statement, run again once on a fresh connection when its
        connection turns out dead (`read_with_one_retry`)."""

        async def once() -> list[asyncpg.Record]:
            async with self.connection() as connection:
                return list(await connection.fetch(query, *args))

        return await read_with_one_retry(once, lost=_lost)

    async def warm(self) -> None:
        """Open the pool now, before the first request needs it; if the database is away, the
        first request tries again (and says so)."""
        with contextlib.suppress(*OUTAGES):
            await self._open()

    def usage(self) -> tuple[int, int]:
        """Connections open, and those of them checked out (none before the pool opens)."""
        if self._pool is None:
            return 0, 0
        size = self._pool.get_size()
        return size, size - self._pool.get_idle_size()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
