"""The user repositories of every kind, on fresh stores, for the contract suites that every
`UserRepository` passes (`test_user_repository_contract.py`, `test_user_listing_contract.py`)."""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bai.adapters.asyncpg.pool import LazyPool
from bai.adapters.asyncpg.user_repository import AsyncpgUserRepository
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.pocketbase.client import PocketBaseClient
from bai.adapters.pocketbase.user_repository import PocketBaseUserRepository
from bai.adapters.rows.tables import companies
from bai.adapters.sqlalchemy.engine import create_engine
from bai.adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from bai.domain.entities import Company
from bai.ports.user_repository import UserRepository

MakeRepository = Callable[..., Awaitable[UserRepository]]


# Each kind, and the fixture that gives its store's URL (every kind needs its own entry: a
# kind that fell through to another store would pass while testing that one).
STORES = {
    "memory": "",
    "sqlite": "sqlite_url",
    "postgresql-sqlalchemy": "postgresql_url",
    "postgresql-asyncpg": "postgresql_url",
    "pgbouncer-asyncpg": "pgbouncer_url",
    "pocketbase": "pocketbase_url",
}
KINDS = list(STORES)


@pytest.fixture(params=KINDS)
def storage(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Which repository, and the URL of a fresh, migrated database for it."""
    kind: str = request.param
    fixture = STORES[kind]
    return kind, request.getfixturevalue(fixture) if fixture else "memory://"


@pytest.fixture
async def make_repository(
    storage: tuple[str, str], request: pytest.FixtureRequest
) -> AsyncIterator[MakeRepository]:
    kind, url = storage
    closers: list[Callable[[], Awaitable[None]]] = []

    async def make(*, with_companies: tuple[Company, ...] = ()) -> UserRepository:
        if kind == "memory":
            return InMemoryUserRepository(companies=list(with_companies))
        if kind == "pocketbase":
            server = request.getfixturevalue("pocketbase_server")
            server.add_companies(with_companies)
            client = PocketBaseClient(url)
            closers.append(client.aclose)
            return PocketBaseUserRepository(client)
        # Companies go in through a direct connection (PgBouncer's is for the repository).
        direct = request.getfixturevalue("postgresql_url") if kind.startswith("pgbouncer") else url
        engine = create_engine(direct)
        closers.append(engine.dispose)
        if with_companies:
            async with engine.begin() as connection:
                rows = [vars_of(company) for company in with_companies]
                await connection.execute(companies.insert(), rows)
        if kind in {"postgresql-asyncpg", "pgbouncer-asyncpg"}:
            pool = LazyPool(url, transaction_pooling=kind.startswith("pgbouncer"))
            closers.append(pool.close)
            return AsyncpgUserRepository(pool)
        assert kind in {"sqlite", "postgresql-sqlalchemy"}, f"no repository for {kind}"
        return SqlAlchemyUserRepository(engine)

    yield make
    for close in closers:
        await close()


def vars_of(company: Company) -> dict[str, object]:
    return {field: getattr(company, field) for field in Company.__dataclass_fields__}


@pytest.fixture
async def users(make_repository: MakeRepository) -> UserRepository:
    return await make_repository()
