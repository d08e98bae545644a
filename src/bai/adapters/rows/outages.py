"""Telling a database that is away, or that lacks BAI's tables, from a bug, for every SQL
adapter; and what went wrong, in the driver's words."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bai.domain.errors import StorageNotMigrated, StorageUnavailable

logger = logging.getLogger("bai.storage")
UNAVAILABLE = (PoolTimeout, OSError, TimeoutError)
UNDEFINED_TABLE = "42P01"  # PostgreSQL's SQLSTATE
# How long a request waits for a free connection of a pool (asyncpg's or SQLAlchemy's) while
# the database answers: a burst of work larger than the pool queues for it rather than failing
# (a busy pool is not a database that is away; 400 first logins at once on two workers wait up
# to a second or two on a small VM). A client waits longer still (wx.request: 60 s).
BUSY_WAIT_SECONDS = 5.0


def driver_reason(exc: BaseException) -> str:
    """`exc` as the driver beneath SQLAlchemy put it, on one line: its class and message
    (SQLAlchemy's own message adds the statement and its parameters, which may be a user's;
    its asyncpg adapter raises its own classes from the driver's)."""
    cause = exc
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        cause = exc.orig.__cause__ or exc.orig
    words = str(cause).strip()
    first = words.splitlines()[0] if words else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


def lacks_tables(exc: BaseException) -> bool:
    """A statement named a table the database does not have: BAI's migrations never ran there
    (`exc` from SQLAlchemy, or from asyncpg itself)."""
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    if getattr(cause, "sqlstate", None) == UNDEFINED_TABLE:
        return True
    return isinstance(exc, DBAPIError) and "no such table" in str(cause)


def is_outage(exc: Exception) -> bool:
    """Connection trouble, as opposed to a bug (which must surface as it is)."""
    if not isinstance(exc, DBAPIError):
        return True
    return isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated


def unavailable(exc: BaseException) -> StorageUnavailable:
    """The domain's error for `exc`, logged with what went wrong."""
    reason = driver_reason(exc)
    if lacks_tables(exc):
        logger.error("storage has no BAI tables (run `bai migrate`): %s", reason)
        return StorageNotMigrated(reason)
    logger.warning("storage unavailable: %s", reason)
    return StorageUnavailable(reason)


def storage_failure(exc: Exception) -> StorageUnavailable | None:
    """What `exc` is to the domain, or None for a bug."""
    return unavailable(exc) if lacks_tables(exc) or is_outage(exc) else None


@asynccontextmanager
async def storage_errors() -> AsyncIterator[None]:
    """Connection trouble, or BAI's tables missing, inside the block becomes
    `StorageUnavailable`; anything else stays."""
    try:
        yield
    except (*UNAVAILABLE, DBAPIError) as exc:
        if (failure := storage_failure(exc)) is None:
            raise
        raise failure from exc
