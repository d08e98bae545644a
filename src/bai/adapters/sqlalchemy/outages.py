"""Telling a database that is away from a bug, for every SQLAlchemy adapter."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bai.domain.errors import StorageUnavailable

logger = logging.getLogger("bai.storage")
UNAVAILABLE = (PoolTimeout, OSError, TimeoutError)


def is_outage(exc: Exception) -> bool:
    """Connection trouble, as opposed to a bug (which must surface as it is)."""
    if not isinstance(exc, DBAPIError):
        return True
    return isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated


def unavailable(exc: Exception) -> StorageUnavailable:
    logger.warning("storage unavailable: %s", type(exc).__name__)
    return StorageUnavailable()


@asynccontextmanager
async def storage_errors() -> AsyncIterator[None]:
    """Connection trouble inside the block becomes `StorageUnavailable`; anything else stays."""
    try:
        yield
    except (*UNAVAILABLE, DBAPIError) as exc:
        if not is_outage(exc):
            raise
        raise unavailable(exc) from exc
