import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dependency_injector import providers

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.shared_reads import SharedReadsUserRepository
from bai.domain.entities import UserStatus
from bai.domain.errors import StorageUnavailable
from bai.domain.user_query import UserQuery
from tests.support.apps import container_with
from tests.support.builders import a_user
from tests.support.fakes import CountingStore


class GatedStore(CountingStore):
    """Its reads and pings wait at `gate` once under way (`started`), so a test knows when a
    read has begun and decides when it ends. `stop_first` stops the first read half-way, as a
    shutdown or a timeout does."""

    def __init__(self, *, stop_first: bool = False) -> None:
        super().__init__()
        self.started = asyncio.Event()
        self.gate = asyncio.Event()
        self.stop_first = stop_first

    async def count(self) -> int:
        self.reads += 1
        total = await InMemoryUserRepository.count(self)
        await self._held()
        if self.stop_first and self.reads == 1:
            raise asyncio.CancelledError
        return total

    async def ping(self) -> None:
        self.pings += 1
        failing = self.down
        await self._held()
        if failing:
            raise StorageUnavailable

    async def _held(self) -> None:
        self.started.set()
        await self.gate.wait()


async def test_counts_asked_together_share_one_read() -> None:
    store = CountingStore()
    shared = SharedReadsUserRepository(store)

    totals = await asyncio.gather(*(shared.count() for _ in range(50)))

    assert set(totals) == {0}
    assert store.reads == 1


async def test_pings_asked_together_share_one_ping() -> None:
    store = CountingStore()
    shared = SharedReadsUserRepository(store)

    await asyncio.gather(*(shared.ping() for _ in range(50)))

    assert store.pings == 1


async def test_a_count_never_gets_a_read_that_started_before_it_was_asked() -> None:
    store = GatedStore()
    shared = SharedReadsUserRepository(store)
    early = asyncio.ensure_future(shared.count())
    await store.started.wait()
    await store.add_if_absent(a_user())
    late = asyncio.ensure_future(shared.count())
    store.gate.set()

    assert await early == 0
    assert await late == 1
    assert store.reads == 2


async def test_a_ping_never_gets_an_answer_from_before_it_was_asked() -> None:
    store = GatedStore()
    shared = SharedReadsUserRepository(store)
    early = asyncio.ensure_future(shared.ping())
    await store.started.wait()
    store.down = True
    late = asyncio.ensure_future(shared.ping())
    store.gate.set()

    outcomes = await asyncio.gather(early, late, return_exceptions=True)

    assert outcomes[0] is None
    assert isinstance(outcomes[1], StorageUnavailable)
    assert store.pings == 2


async def test_every_caller_of_a_failed_read_gets_its_failure_and_the_next_read_runs() -> None:
    store = CountingStore()
    shared = SharedReadsUserRepository(store)

    store.down = True
    counts = await asyncio.gather(*(shared.count() for _ in range(5)), return_exceptions=True)
    pings = await asyncio.gather(*(shared.ping() for _ in range(5)), return_exceptions=True)
    store.down = False

    assert all(isinstance(outcome, StorageUnavailable) for outcome in counts + pings)
    assert (store.reads, store.pings) == (1, 1)
    assert await shared.count() == 0


async def test_a_stopped_read_leaves_no_caller_waiting_for_ever() -> None:
    store = GatedStore(stop_first=True)
    shared = SharedReadsUserRepository(store)
    first = asyncio.ensure_future(shared.count())
    await store.started.wait()
    second = asyncio.ensure_future(shared.count())  # waits for the next read
    store.gate.set()

    assert await asyncio.wait_for(second, 1) == 0
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_everything_but_count_and_ping_is_the_stores_own() -> None:
    store = InMemoryUserRepository()
    shared = SharedReadsUserRepository(store)
    user, later = a_user(), datetime(2030, 1, 1, tzinfo=UTC)

    assert await shared.add_if_absent(user) == (user, True)
    assert await shared.get(user.pb_id) == await shared.get_by_openid(user.openid) == user
    profiled = await shared.save_profile(
        user, users_name="Ada", users_phone="13800000000", users_picture="", updated=later
    )
    disabled = await shared.set_status(user.pb_id, UserStatus.DISABLED, updated=later)
    rekeyed = await shared.set_token_key(user.pb_id, "k" * 50, updated=later)
    listed = await shared.list_users(UserQuery(), limit=10)
    deleted = await shared.delete(user.pb_id)

    assert (profiled.users_name if profiled else None) == "Ada"
    assert (disabled.users_status if disabled else None) is UserStatus.DISABLED
    assert (rekeyed.token_key if rekeyed else None) == "k" * 50
    assert [found.pb_id for found in listed] == [user.pb_id]
    assert deleted
    assert await store.get(user.pb_id) is None


async def test_the_counter_and_readiness_are_served_through_shared_reads(tmp_path: Path) -> None:
    container = container_with(tmp_path, {"BAI_DATABASE_URL": "memory://"})
    store = CountingStore()
    container.adapters.users.override(providers.Object(store))

    await asyncio.gather(*(container.use_cases.count_users().execute() for _ in range(20)))
    await asyncio.gather(*(container.use_cases.check_readiness().execute() for _ in range(20)))

    assert (store.reads, store.pings) == (1, 1)


async def test_callers_who_joined_a_read_stopped_midway_get_the_next_one() -> None:
    store = GatedStore()
    shared = SharedReadsUserRepository(store)
    leader = asyncio.ensure_future(shared.count())
    joiner = asyncio.ensure_future(shared.count())  # the same loop turn: joins the leader's read
    await store.started.wait()
    leader.cancel()  # its request gave up while the read was under way
    await store.add_if_absent(a_user())
    store.gate.set()

    assert await asyncio.wait_for(joiner, 1) == 1  # a read begun after it was stopped
    assert leader.cancelled()
    assert store.reads == 2


async def test_callers_who_joined_a_leader_stopped_before_reading_still_get_a_read() -> None:
    store = GatedStore()
    store.gate.set()
    shared = SharedReadsUserRepository(store)
    leader = asyncio.ensure_future(shared.count())
    joiner = asyncio.ensure_future(shared.count())
    await asyncio.sleep(0)  # the leader waits for its joiners; the joiner has joined
    leader.cancel()

    assert await asyncio.wait_for(joiner, 1) == 0
    assert leader.cancelled()
    assert store.reads == 1


async def test_a_caller_alone_reads_at_once_and_the_next_reads_again() -> None:
    store = CountingStore()
    shared = SharedReadsUserRepository(store)

    first = await shared.count()
    await store.add_if_absent(a_user())
    second = await shared.count()

    assert (first, second, store.reads) == (0, 1, 2)
