import asyncio
from dataclasses import dataclass, field

from bai.ports.clock import Clock
from bai.ports.login_code_ledger import CLAIM_SECONDS, CodeAnswer, CodeClaim, LoginCodeLedger


@dataclass(slots=True)
class _Entry:
    expires: float
    answer: CodeAnswer | None = None
    done: asyncio.Event = field(default_factory=asyncio.Event)


class InMemoryLoginCodeLedger(LoginCodeLedger):
    """One process's ledger: claims and answers in a dictionary, waiters on an event. Entries
    that ended are swept as time moves on."""

    def __init__(
        self,
        *,
        claim_seconds: float = CLAIM_SECONDS,
        clock: Clock,
    ) -> None:
        self._claim_seconds = claim_seconds
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._swept_at = 0.0

    async def claim(self, key: str) -> CodeClaim:
        now = self._clock.seconds()
        self._sweep(now)
        entry = self._entries.get(key)
        if entry is None or entry.expires <= now:
            self._entries[key] = _Entry(expires=now + self._claim_seconds)
            return CodeClaim(mine=True)
        return CodeClaim(answer=entry.answer)

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        entry = self._entries.setdefault(key, _Entry(expires=0))
        entry.answer, entry.expires = answer, self._clock.seconds() + keep_seconds
        entry.done.set()

    async def release(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            entry.done.set()

    async def wait(self, key: str) -> CodeAnswer | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        try:
            async with asyncio.timeout(max(0.0, entry.expires - self._clock.seconds())):
                await entry.done.wait()
        except TimeoutError:
            return None
        return entry.answer

    def _sweep(self, now: float) -> None:
        if now - self._swept_at < 1:
            return
        self._swept_at = now
        self._entries = {key: e for key, e in self._entries.items() if e.expires > now}
