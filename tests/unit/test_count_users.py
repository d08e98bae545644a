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


async def test_a_store_that_does_not_answer_is_reported() -> None:
    store = CountingStore()
    store.down = True

    with pytest.raises(StorageUnavailable):
        await CountUsers(users=store).execute()
