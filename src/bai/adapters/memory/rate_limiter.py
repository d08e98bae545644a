import math

from bai.ports.clock import Clock


class InMemoryRateLimiter:
    """Fixed-window counters in this process; windows that ended are swept as time moves on."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, int, int], int] = {}
        self._swept_at = 0.0

    async def hit(self, key: str, *, limit: int, window_seconds: int) -> int:
        now = self._clock.seconds()
        window = int(now // window_seconds)
        self._sweep(now)
        slot = (key, window_seconds, window)
        count = self._counts.get(slot, 0) + 1
        self._counts[slot] = count
        return 0 if count <= limit else max(1, math.ceil((window + 1) * window_seconds - now))

    def _sweep(self, now: float) -> None:
        if now - self._swept_at < 1:
            return
        self._swept_at = now
        self._counts = {
            slot: count for slot, count in self._counts.items() if (slot[2] + 1) * slot[1] > now
        }
