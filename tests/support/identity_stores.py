"""Every backend's storage, fresh, for the identity store's contract suite."""

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime

import pytest

from bai.adapters.backends import storage_for
from bai.adapters.sqlalchemy.storage import SqliteStorage
from bai.adapters.storage import Storage, StorageOptions
from bai.adapters.system.clock import SystemClock
from bai.domain.identities import ConflictKind, Identity, IdentityConflict
from bai.ports.identity_store import IdentityStore
from tests.support.builders import a_user

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


async def conflict_kept(
    identities: IdentityStore, *, appid: str, openid: str, holder: str, at: datetime
) -> IdentityConflict:
    """A user of their own who signed in to `appid` as `openid`, and the conflict WeChat's
    unionid raised about it: `holder` has the unionid ("": nobody else)."""
    user = replace(a_user(), openid="")
    await identities.register(
        user, Identity(appid=appid, openid=openid, pb_id=user.pb_id, created=at)
    )
    conflict = IdentityConflict(
        kind=ConflictKind.UNIONID_TAKEN,
        appid=appid,
        openid=openid,
        unionid="u-1",
        pb_id=user.pb_id,
        other_pb_id=holder,
        created=at,
    )
    await identities.add_conflict(conflict)
    return conflict
