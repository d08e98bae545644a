import asyncio

import pytest

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.entities import UserStatus
from bai.domain.errors import StorageUnavailable
from bai.domain.use_cases.count_users import CountUsers
from tests.support.builders import a_user
from tests.support.fakes import FixedClock


async def test_no_users_counts_zero(count_users: CountUsers) -> None:
    assert await count_users.execute() == 0


async def test_users_are_counted_whatever_their_status(
    count_users: CountUsers, users: InMemoryUserRepository
) -> None:
    for status in (UserStatus.ACTIVE, UserStatus.DISABLED, UserStatus.ACTIVE):
        await users.add_if_absent(a_user(status=status))

    assert await count_users.execute() == 3


class CountingStore(InMemoryUserRepository):
    """Counts how often the table is counted, and can be taken down."""

    def __init__(self) -> None:
        super().__init__()
        self.counts = 0
        self.down = False

    async def count(self) -> int:
        self.counts += 1
        await asyncio.sleep(0)
        if self.down:
            raise StorageUnavailable
        return await super().count()


@pytest.fixture
def store() -> CountingStore:
    return CountingStore()


@pytest.fixture
def cached(store: CountingStore, clock: FixedClock) -> CountUsers:
    return CountUsers(users=store, clock=clock, max_age_seconds=1.0)


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_a_count_serves_every_request_within_its_max_age(
    cached: CountUsers, store: CountingStore, clock: FixedClock
) -> None:
    assert await cached.execute() == 0
    await store.add_if_absent(a_user())
    clock.advance(0.9)

    assert await cached.execute() == 0
    assert store.counts == 1


async def test_a_due_count_is_refreshed_in_the_background(
    cached: CountUsers, store: CountingStore, clock: FixedClock
) -> None:
    await cached.execute()
    await store.add_if_absent(a_user())
    clock.advance(1.0)

    assert await cached.execute() == 0, "the previous count answers while the recount runs"
    await settle()
    assert await cached.execute() == 1


async def test_a_count_twice_its_max_age_is_never_served(
    cached: CountUsers, store: CountingStore, clock: FixedClock
) -> None:
    await cached.execute()
    await store.add_if_absent(a_user())
    clock.advance(2.0)

    assert await cached.execute() == 1


async def test_store_down_is_an_error_once_the_count_is_too_old(
    cached: CountUsers, store: CountingStore, clock: FixedClock
) -> None:
    await cached.execute()
    store.down = True
    clock.advance(1.5)
    assert await cached.execute() == 0
    await settle()
    clock.advance(0.5)

    with pytest.raises(StorageUnavailable):
        await cached.execute()


async def test_concurrent_requests_on_a_cold_cache_count_once(
    cached: CountUsers, store: CountingStore
) -> None:
    await store.add_if_absent(a_user())

    answers = await asyncio.gather(*(cached.execute() for _ in range(100)))

    assert answers == [1] * 100
    assert store.counts == 1
