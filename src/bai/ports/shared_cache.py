from typing import Protocol


class SharedCache(Protocol):
    """Short-lived values shared by every process and host (the WeChat access token).

    A cache: when it cannot be reached, reads miss and writes are dropped.
    """

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, *, ttl_seconds: int) -> None: ...

    async def discard(self, key: str, value: str) -> None:
        """Remove `key` only if it still holds `value`."""
        ...
