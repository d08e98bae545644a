"""The read-retry policy of every SQL adapter (SQLAlchemy's and asyncpg's), in one place."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def read_with_one_retry(
    read: Callable[[], Awaitable[T]], *, lost: Callable[[Exception], bool]
) -> T:
    """Run `read`; when it fails because its connection turned out lost (the database
    restarted, a pooled connection was killed: `lost` says so in the driver's terms), run it
    once more on a fresh one. A read is safe to repeat; a write never goes through here. Any
    other failure, or a second loss, propagates."""
    try:
        return await read()
    except Exception as exc:
        if not lost(exc):
            raise
    return await read()
