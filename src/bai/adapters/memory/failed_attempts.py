import math

from bai.ports.clock import Clock
from bai.ports.failed_attempts import FailedAttempts


class InMemoryFailedAttempts(FailedAttempts):
    """Failures and locks in this process (one worker; Redis shares them between workers)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._locked_until: dict[str, float] = {}

    async def locked_for(self, key: str) -> int:
        left = self._locked_until.get(key, 0.0) - self._clock.seconds()
        return math.ceil(left) if left > 0 else 0

    async def fail(self, key: str, *, limit: int, window_seconds: int, lock_seconds: int) -> int:
        now = self._clock.seconds()
        recent = [at for at in self._failures.get(key, []) if at > now - window_seconds]
        recent.append(now)
        self._failures[key] = recent
        if len(recent) < limit:
            return 0
        if not await self.locked_for(key):  # a lock runs from the failure that set it
            self._locked_until[key] = now + lock_seconds
        return await self.locked_for(key)

    async def forgive(self, key: str) -> None:
        counted = self._failures.get(key)
        if counted:
            counted.pop()

    async def clear(self, key: str) -> None:
        self._failures.pop(key, None)
