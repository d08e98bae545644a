from typing import Protocol


class RateLimiter(Protocol):
    """Counts requests per key in fixed windows."""

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> int:
        """Count one request for `key`: 0 if it is within `limit` for the current window,
        otherwise the seconds until the window ends."""
        ...
