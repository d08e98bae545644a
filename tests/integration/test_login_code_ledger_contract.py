"""One contract for every `LoginCodeLedger`. Two instances over one store stand for two
processes (memory:// is one process, so its two are one instance)."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bai.adapters.asyncpg.login_code_ledger import AsyncpgLoginCodeLedger
from bai.adapters.asyncpg.pool import LazyPool
from bai.adapters.memory.login_code_ledger import InMemoryLoginCodeLedger
from bai.adapters.pocketbase.client import PocketBaseClient
from bai.adapters.pocketbase.login_code_ledger import PocketBaseLoginCodeLedger
from bai.adapters.redis.client import redis_client
from bai.adapters.redis.login_code_ledger import RedisLoginCodeLedger
from bai.adapters.sqlalchemy.engine import create_engine
from bai.adapters.sqlalchemy.login_code_ledger import SqlAlchemyLoginCodeLedger
from bai.adapters.system.clock import SystemClock
from bai.domain.values import WeChatIdentity
from bai.ports.login_code_ledger import CodeAnswer, CodeFailure, LoginCodeLedger

# Each kind, and the fixture that gives its store's URL (see the user repository contract).
STORES = {
    "memory": "",
    "sqlite": "sqlite_url",
    "postgresql-sqlalchemy": "postgresql_url",
    "postgresql-asyncpg": "postgresql_url",
    "redis": "redis_url",
    "pocketbase": "pocketbase_url",
}
KINDS = list(STORES)
VOUCHED = CodeAnswer(WeChatIdentity(openid="openid-1", unionid="union-1"))
REFUSED = CodeAnswer(None)
ANSWERS = {"vouched": VOUCHED} | {
    failure.name: CodeAnswer(None, failure) for failure in CodeFailure
}
Pair = tuple[LoginCodeLedger, LoginCodeLedger]


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Which ledger, and the URL of its store (a fresh, migrated database where it has one)."""
    kind: str = request.param
    fixture = STORES[kind]
    return kind, request.getfixturevalue(fixture) if fixture else ""


@pytest.fixture
def claim_seconds() -> int:
    """How long a claim holds: long enough that no test on a loaded machine sees one lapse
    unless it is about lapsing (those ask for 1 s)."""
    return 60


@pytest.fixture
async def ledgers(store: tuple[str, str], claim_seconds: int) -> AsyncIterator[Pair]:
    kind, url = store
    closers: list[Callable[[], Awaitable[None]]] = []

    def make() -> LoginCodeLedger:
        if kind == "redis":
            client = redis_client(url)
            assert client is not None
            closers.append(client.aclose)
            fallback = InMemoryLoginCodeLedger(claim_seconds=claim_seconds, clock=SystemClock())
            return RedisLoginCodeLedger(client, fallback=fallback, claim_seconds=claim_seconds)
        if kind == "pocketbase":
            pocketbase = PocketBaseClient(url)
            closers.append(pocketbase.aclose)
            return PocketBaseLoginCodeLedger(pocketbase, claim_seconds=claim_seconds)
        if kind == "postgresql-asyncpg":
            pool = LazyPool(url, size=2)
            closers.append(pool.close)
            return AsyncpgLoginCodeLedger(pool, claim_seconds=claim_seconds)
        assert kind in {"sqlite", "postgresql-sqlalchemy"}, f"no ledger for {kind}"
        engine = create_engine(url)
        closers.append(engine.dispose)
        return SqlAlchemyLoginCodeLedger(engine, claim_seconds=claim_seconds)

    if kind == "memory":
        one = InMemoryLoginCodeLedger(claim_seconds=claim_seconds, clock=SystemClock())
        yield one, one
    else:
        yield make(), make()
    for close in closers:
        await close()


def new_key() -> str:
    return secrets.token_hex(32)


async def test_the_first_claim_is_mine_and_the_next_is_not(ledgers: Pair) -> None:
    one, other = ledgers
    key = new_key()

    first, second = await one.claim(key), await other.claim(key)

    assert first.mine
    assert not second.mine
    assert second.answer is None


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
async def test_a_settled_answer_is_handed_to_later_claims(
    ledgers: Pair, answer: CodeAnswer
) -> None:
    one, other = ledgers
    key = new_key()
    await one.claim(key)

    await one.settle(key, answer, keep_seconds=60)

    later = await other.claim(key)
    assert not later.mine
    assert later.answer == answer


async def test_waiters_get_the_answer_once_it_is_settled(ledgers: Pair) -> None:
    one, other = ledgers
    key = new_key()
    await one.claim(key)

    waiting = asyncio.ensure_future(other.wait(key))
    await asyncio.sleep(0.05)
    await one.settle(key, VOUCHED, keep_seconds=60)

    assert await asyncio.wait_for(waiting, 5) == VOUCHED


async def test_a_released_claim_lets_the_next_caller_ask(ledgers: Pair) -> None:
    one, other = ledgers
    key = new_key()
    await one.claim(key)

    waiting = asyncio.ensure_future(other.wait(key))
    await asyncio.sleep(0.05)
    await one.release(key)

    assert await asyncio.wait_for(waiting, 5) is None
    assert (await other.claim(key)).mine


@pytest.mark.parametrize("claim_seconds", [1])
async def test_a_claim_nobody_settles_lapses(ledgers: Pair) -> None:
    one, other = ledgers
    key = new_key()
    await one.claim(key)

    assert await asyncio.wait_for(other.wait(key), 5) is None
    assert (await other.claim(key)).mine


async def test_an_answer_lapses_after_it_was_kept(ledgers: Pair) -> None:
    one, other = ledgers
    key = new_key()
    await one.claim(key)
    await one.settle(key, VOUCHED, keep_seconds=1)

    await asyncio.sleep(1.1)

    assert (await other.claim(key)).mine


async def test_of_many_simultaneous_claims_one_is_mine(ledgers: Pair) -> None:
    one, other = ledgers
    key = new_key()

    claims = await asyncio.gather(*(ledger.claim(key) for ledger in (one, other) * 10))

    assert sum(claim.mine for claim in claims) == 1
