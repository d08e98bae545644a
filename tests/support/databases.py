"""Real databases for the tests: PostgreSQL on this machine and SQLite files."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from devtools.postgres import (
    drop_database,
    make_database,
    run_sql,
)
from redis import Redis
from redis.exceptions import RedisError

from bai.adapters.sqlalchemy.migrate import upgrade
from tests.support.pgbouncer import run_pgbouncer
from tests.support.pocketbase import PocketBase, run_pocketbase

BACKENDS = ["memory", "sqlite", "postgresql", "pgbouncer", "pocketbase"]

# For checks that never reach storage (refused at the edge, the framework's own answers, the
# OpenAPI document): one case, on memory, instead of one per backend. On a test or a module
# (`pytestmark = memory_only`); a parametrisation of the test itself wins over the fixture's.
memory_only = pytest.mark.parametrize("database_url", ["memory"], indirect=True)


def create_database(prefix: str = "bai_test") -> str:
    """A new, empty database on the test server; fails the run under CI when there is none."""
    try:
        return make_database(prefix)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {exc!r}")
        pytest.skip(f"PostgreSQL is not reachable: {exc!r}")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    url = create_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_database(url)


@pytest.fixture
def postgresql_url(postgres_database: str) -> str:
    """The session's database, emptied for this test."""
    run_sql(
        postgres_database,
        "TRUNCATE tbl_auth_users, tbl_auth_identities, tbl_auth_sessions, tbl_identity_conflicts,"
        " tbl_company, tbl_login_codes, tbl_wechat_push_events, tbl_bai_operators, tbl_bai_audit",
    )
    return postgres_database


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "bai.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bai.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def pgbouncer_database(postgres_database: str) -> Iterator[str]:
    """The session's database, through PgBouncer in transaction pooling mode."""
    yield from run_pgbouncer(postgres_database)


@pytest.fixture
def pgbouncer_url(postgresql_url: str, pgbouncer_database: str) -> str:
    """The session's database, emptied for this test, through PgBouncer."""
    return pgbouncer_database


@pytest.fixture(scope="session")
def pocketbase_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PocketBase]:
    """A live PocketBase with BAI's hooks and collections, for the session."""
    yield from run_pocketbase(tmp_path_factory.mktemp("pocketbase-server"))


@pytest.fixture
def pocketbase_url(pocketbase_server: PocketBase) -> str:
    """`BAI_DATABASE_URL` beside the session's PocketBase, emptied for this test."""
    pocketbase_server.empty()
    return pocketbase_server.storage_url


@pytest.fixture(params=["sqlite", "postgresql"])
def target_url(request: pytest.FixtureRequest) -> str:
    """Each database `bai import-pocketbase` copies into, emptied for this test."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def database_env(request: pytest.FixtureRequest, database_url: str) -> dict[str, str]:
    """The settings that point BAI at the backend of `database_url`."""
    env = {"BAI_DATABASE_URL": database_url}
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "pgbouncer" in callspec.params.get("database_url", ""):
        env["BAI_DATABASE_POOL_MODE"] = "transaction"
    return env


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the tests use (`BAI_TEST_REDIS_URL`); its absence fails the run under CI."""
    url = os.environ.get("BAI_TEST_REDIS_URL", DEFAULT_REDIS_URL)

    try:
        with Redis.from_url(url, socket_connect_timeout=2) as client:
            client.ping()
    except (OSError, RedisError) as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis is required under CI=true and is not reachable: {exc!r}")
        pytest.skip(f"Redis is not reachable: {exc!r}")
    return url
