"""Every backend's storage, fresh, for the identity store's contract suite."""

from collections.abc import AsyncIterator

import pytest

from bai.adapters.backends import storage_for
from bai.adapters.sqlalchemy.storage import SqliteStorage
from bai.adapters.storage import Storage, StorageOptions
from bai.adapters.system.clock import SystemClock

PRIMARY = "wxprimary0000001"
OTHER = "wxother000000002"
# The two apps as an operator's apps file names them (no secrets: the sandbox, or a fake).
APPS_FILE = f"""
[[app]]
appid = "{PRIMARY}"
primary = true

[[app]]
appid = "{OTHER}"
name = "shop"
"""
# Each kind and the fixture that gives its store's URL.
STORES = {
    "memory": "",
    "sqlite": "sqlite_url",
    "postgresql": "postgresql_url",
    "postgresql-sqlalchemy": "postgresql_url",
    "pgbouncer": "pgbouncer_url",
    "pocketbase": "pocketbase_url",
}


class SqlAlchemyOnPostgres(SqliteStorage):
    """Every store through SQLAlchemy, on PostgreSQL: the SQLAlchemy identity store alone
    (`PostgresStorage` serves part of it through asyncpg)."""

    name = "postgresql-sqlalchemy"


@pytest.fixture(params=list(STORES))
def backend_url(request: pytest.FixtureRequest) -> tuple[str, str]:
    """Which backend, and the URL of a fresh, migrated database for it (resolved outside the
    test's event loop: the databases' fixtures run their own)."""
    kind: str = request.param
    return kind, request.getfixturevalue(STORES[kind]) if STORES[kind] else "memory://"


@pytest.fixture
async def backend(backend_url: tuple[str, str]) -> AsyncIterator[Storage]:
    """A backend's storage on a fresh, migrated database."""
    kind, url = backend_url
    options = StorageOptions(
        url=url, primary_appid=PRIMARY, transaction_pooling=kind == "pgbouncer"
    )
    clock = SystemClock()
    storage = (
        SqlAlchemyOnPostgres(options, clock=clock)
        if kind == "postgresql-sqlalchemy"
        else storage_for(options, clock=clock)
    )
    yield storage
    await storage.close()
