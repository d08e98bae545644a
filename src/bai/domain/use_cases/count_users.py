import asyncio
from datetime import timedelta

from bai.ports.clock import Clock
from bai.ports.user_repository import UserRepository


class CountUsers:
    """The number of users in `tbl_auth_users`, for the public counter.

    - Every user counts, whatever their status.
    - Counting a large table on every request would cost a scan each time, so one count serves
      every request for `max_age_seconds` (0 counts every time).
    - Once that count is due, the next request starts a recount in the background and is still
      answered with the previous count; a count twice `max_age_seconds` old is never served:
      the request waits for the recount (`StorageUnavailable` if the store is down).
    - One recount runs at a time, however many requests ask.
    """

    def __init__(self, *, users: UserRepository, clock: Clock, max_age_seconds: float = 0) -> None:
        self._users = users
        self._clock = clock
        self._max_age = timedelta(seconds=max_age_seconds)
        self._count: int | None = None
        self._counted_at = clock.now()
        self._recount: asyncio.Task[int] | None = None

    async def execute(self) -> int:
        if not self._max_age:
            return await self._users.count()
        age = self._clock.now() - self._counted_at
        if self._count is None or age >= 2 * self._max_age:
            return await asyncio.shield(self._start_recount())
        if age >= self._max_age:
            self._start_recount()
        return self._count

    def _start_recount(self) -> "asyncio.Task[int]":
        if self._recount is None:
            self._recount = asyncio.create_task(self._count_now())
            self._recount.add_done_callback(_observed)
        return self._recount

    async def _count_now(self) -> int:
        started = self._clock.now()
        try:
            count = await self._users.count()
        finally:
            self._recount = None
        self._count, self._counted_at = count, started
        return count


def _observed(task: "asyncio.Task[int]") -> None:
    if not task.cancelled():
        task.exception()
