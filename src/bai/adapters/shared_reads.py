"""Concurrent reads of the user store shared among the callers that ask together.

why: docs/performance.md#shared-reads
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Generic, TypeVar

from bai.domain.entities import User, UserStatus
from bai.domain.push_events import WithdrawnField
from bai.domain.user_query import UserQuery
from bai.ports.user_repository import UserRepository

T = TypeVar("T")


class SharedRead(Generic[T]):
    """`SharedRead(read)` is awaited instead of `read()`: callers that arrive while no read has
    started yet share the next read and its outcome, and a caller never gets a read that started
    before it arrived, so what it is told is as fresh as if it had read alone. At most one read
    is under way at a time.

    A caller that finds nothing under way leads: it lets the callers of the same loop turn join,
    then reads itself, with no task of its own (a read a request waits for alone costs no more
    than the read). Callers that arrive while a read is under way share the next one, which a
    reader task makes once the current one ends. A leader stopped before or during its read
    (its request cancelled) hands its joiners on to the next read: they are never left waiting
    and never given a read that started before them."""

    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._joining: asyncio.Future[T] | None = None  # the next read, not started yet
        self._busy = False  # a leader or the reader task is gathering or reading
        self._reader: asyncio.Task[None] | None = None  # held: a task nobody holds may vanish

    async def __call__(self) -> T:
        if self._busy:
            return await asyncio.shield(self._joined())
        return await self._lead()

    def _joined(self) -> "asyncio.Future[T]":
        """The read not started yet that a caller joins (made when none is)."""
        if self._joining is None:
            self._joining = asyncio.get_running_loop().create_future()
            self._joining.add_done_callback(_observed)
        return self._joining

    async def _lead(self) -> T:
        self._busy = True
        joiners: asyncio.Future[T] | None = None
        started = False
        try:
            await asyncio.sleep(0)  # the callers of this loop turn join this read
            joiners, self._joining = self._joining, None
            started = True
            value = await self._read()
        except Exception as exc:
            if joiners is not None:  # every caller of this read gets its failure
                joiners.set_exception(exc)
            raise
        except BaseException:
            # Stopped before its read (its joiners are still the next read's) or during it
            # (they arrived before any read that starts from now on): the next read is theirs.
            if started and joiners is not None:
                _hand_on(joiners, self._joined())
            raise
        finally:
            self._busy = False
            if self._joining is not None:  # callers that came meanwhile: a reader for them
                self._start_reader()
        if joiners is not None:
            joiners.set_result(value)
        return value

    def _start_reader(self) -> None:
        self._busy = True
        self._reader = asyncio.ensure_future(self._read_while_asked())

    async def _read_while_asked(self) -> None:
        try:
            while (joined := self._joining) is not None:
                self._joining = None
                try:
                    joined.set_result(await self._read())
                except Exception as exc:  # every caller of this read gets its failure
                    joined.set_exception(exc)
                except BaseException:  # the reader itself was stopped: so are its callers
                    joined.cancel()
                    raise
        finally:
            self._busy, self._reader = False, None
            if self._joining is not None:  # callers that came meanwhile get a reader of their own
                self._start_reader()


def _hand_on(waiting: "asyncio.Future[T]", later: "asyncio.Future[T]") -> None:
    """`waiting` gets the outcome of `later`, a read that starts after its callers arrived."""

    def copied(done: "asyncio.Future[T]") -> None:
        if waiting.done():
            return
        if done.cancelled():
            waiting.cancel()
        elif (exc := done.exception()) is not None:
            waiting.set_exception(exc)
        else:
            waiting.set_result(done.result())

    later.add_done_callback(copied)


def _observed(future: "asyncio.Future[T]") -> None:
    if not future.cancelled():
        future.exception()


class SharedReadsUserRepository(UserRepository):
    """`users`, with `count` and `ping` each a `SharedRead`: a crowd of counter or readiness
    requests costs the store one round trip at a time, not one each. Everything else is
    `users`' own."""

    def __init__(self, users: UserRepository) -> None:
        self._users = users
        self._count = SharedRead(users.count)
        self._ping = SharedRead(users.ping)

    async def count(self) -> int:
        return await self._count()

    async def ping(self) -> None:
        await self._ping()

    async def get(self, pb_id: str) -> User | None:
        return await self._users.get(pb_id)

    async def get_by_openid(self, openid: str) -> User | None:
        return await self._users.get_by_openid(openid)

    async def add_if_absent(self, user: User) -> tuple[User, bool]:
        return await self._users.add_if_absent(user)

    async def save_profile(
        self,
        user: User,
        *,
        users_name: str,
        users_phone: str,
        users_picture: str,
        updated: datetime,
    ) -> User | None:
        return await self._users.save_profile(
            user,
            users_name=users_name,
            users_phone=users_phone,
            users_picture=users_picture,
            updated=updated,
        )

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        return await self._users.withdraw(pb_id, fields, updated=updated)

    async def set_status(self, pb_id: str, status: UserStatus, *, updated: datetime) -> User | None:
        return await self._users.set_status(pb_id, status, updated=updated)

    async def set_token_key(self, pb_id: str, token_key: str, *, updated: datetime) -> User | None:
        return await self._users.set_token_key(pb_id, token_key, updated=updated)

    async def delete(self, pb_id: str) -> bool:
        return await self._users.delete(pb_id)

    async def list_users(self, query: UserQuery, *, limit: int) -> list[User]:
        return await self._users.list_users(query, limit=limit)

    async def registrations_per_day(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[date, int]]:
        return await self._users.registrations_per_day(since=since, until=until)
