import pytest

from bai.domain.errors import StorageUnavailable
from bai.domain.use_cases.check_readiness import CheckReadiness
from tests.support.fakes import CountingStore


async def test_ready_when_the_store_answers() -> None:
    store = CountingStore()

    await CheckReadiness(users=store).execute()

    assert store.pings == 1


async def test_not_ready_while_the_store_does_not_answer() -> None:
    store = CountingStore()
    store.down = True

    with pytest.raises(StorageUnavailable):
        await CheckReadiness(users=store).execute()
