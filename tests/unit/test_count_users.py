import asyncio

import pytest

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.entities import UserStatus
from bai.domain.errors import StorageUnavailable
from bai.domain.use_cases.count_users import CountUsers
from tests.support.builders import a_user
from tests.support.fakes import CountingStore


async def test_no_users_counts_zero(count_users: CountUsers) -> None:
    assert await count_users.execute() == 0


async def test_users_are_counted_whatever_their_status(
    count_users: CountUsers, users: InMemoryUserRepository
) -> None:
    for status in (UserStatus.ACTIVE, UserStatus.DISABLED, UserStatus.ACTIVE):
        await users.add_if_absent(a_user(status=status))

    assert await count_users.execute() == 3


async def test_the_very_next_count_sees_a_registration_and_a_deletion(
    count_users: CountUsers, users: InMemoryUserRepository
) -> None:
    first, second = a_user(), a_user()
    await users.add_if_absent(first)
    assert await count_users.execute() == 1

    await users.add_if_absent(second)
    assert await count_users.execute() == 2

    await users.delete(first.pb_id)
    assert await count_users.execute() == 1


async def test_requests_arriving_together_share_one_read() -> None:
    store = CountingStore()
    count_users = CountUsers(users=store)

    totals = await asyncio.gather(*(count_users.execute() for _ in range(50)))

    assert set(totals) == {0}
    assert store.reads == 1


async def test_a_request_never_gets_a_read_that_started_before_it_arrived() -> None:
    store = CountingStore()
    count_users = CountUsers(users=store)
    early = asyncio.ensure_future(count_users.execute())
    await store.begun.wait()  # the first read has started
    await store.add_if_absent(a_user())

    late = await count_users.execute()

    assert await early == 0
    assert late == 1
    assert store.reads == 2


async def test_every_request_of_a_failed_read_gets_its_failure_and_the_next_read_runs() -> None:
    store = CountingStore()
    count_users = CountUsers(users=store)

    store.down = True
    outcomes = await asyncio.gather(
        *(count_users.execute() for _ in range(5)), return_exceptions=True
    )
    store.down = False

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)
    assert await count_users.execute() == 0


class StoppedOnceStore(CountingStore):
    """Its first read is stopped (cancelled) half-way, as at a shutdown or a timeout, once the
    test sets `stop`."""

    def __init__(self) -> None:
        super().__init__()
        self.stop = asyncio.Event()

    async def count(self) -> int:
        if self.reads == 0:
            self.reads += 1
            self.begun.set()
            await self.stop.wait()
            raise asyncio.CancelledError
        return await super().count()


async def test_a_stopped_read_leaves_no_request_waiting_for_ever() -> None:
    store = StoppedOnceStore()
    count_users = CountUsers(users=store)
    first = asyncio.ensure_future(count_users.execute())
    await store.begun.wait()  # the first read is under way

    async def second() -> int:
        waiting = count_users.execute()
        store.stop.set()  # takes effect once this request has joined the reads, below
        return await waiting

    assert await asyncio.wait_for(second(), 1) == 0
    with pytest.raises(asyncio.CancelledError):
        await first
