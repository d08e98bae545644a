import asyncio

from bai.domain.errors import StorageUnavailable
from bai.domain.use_cases.check_readiness import CheckReadiness
from tests.support.fakes import CountingStore


async def test_readiness_requests_arriving_together_share_one_ping() -> None:
    store = CountingStore()
    readiness = CheckReadiness(users=store)

    await asyncio.gather(*(readiness.execute() for _ in range(50)))

    assert store.pings == 1


async def test_a_readiness_request_never_gets_a_ping_that_started_before_it_arrived() -> None:
    store = CountingStore()
    readiness = CheckReadiness(users=store)
    early = asyncio.ensure_future(readiness.execute())
    await store.begun.wait()  # the first ping has started
    store.down = True

    outcomes = await asyncio.gather(early, readiness.execute(), return_exceptions=True)

    assert outcomes[0] is None
    assert isinstance(outcomes[1], StorageUnavailable)
    assert store.pings == 2


async def test_every_request_sharing_a_failed_ping_is_told_the_store_is_down() -> None:
    store = CountingStore()
    store.down = True
    readiness = CheckReadiness(users=store)

    outcomes = await asyncio.gather(
        *(readiness.execute() for _ in range(5)), return_exceptions=True
    )

    assert all(isinstance(outcome, StorageUnavailable) for outcome in outcomes)
    assert store.pings == 1
