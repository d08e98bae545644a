from typing import Protocol


class FailedAttempts(Protocol):
    """Failed sign-ins counted per key (an operator's email, a client address), shared by every
    process that shares the store: `limit` failures within `window_seconds` lock the key for
    `lock_seconds` from the failure that reached the limit.

    Like the rate limits, it lets sign-ins through (and says so in the log) while its store
    cannot be reached: the password still has to be right."""

    async def locked_for(self, key: str) -> int:
        """Seconds the key stays locked; 0 when it is not."""
        ...

    async def fail(self, key: str, *, limit: int, window_seconds: int, lock_seconds: int) -> int:
        """Count a failure, atomically; the seconds the key is now locked for (0: not locked).
        The `limit`-th failure within the window locks the key; later ones while it is locked
        are counted too and answered with the lock's time left (never a lock begun again)."""
        ...

    async def forgive(self, key: str) -> None:
        """Take back one failure counted for the key (an attempt counted before it was judged
        turned out right); nothing when none is counted."""
        ...

    async def clear(self, key: str) -> None:
        """Forget the key's failures (a sign-in succeeded); a lock stays until it ends."""
        ...
