"""Migrations run forward and back on PostgreSQL, and the schema is what the code expects."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from devtools.postgres import drop_database
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bai.adapters.rows.tables import metadata
from bai.adapters.sqlalchemy.migrate import downgrade, upgrade
from tests.support.databases import create_database

BAI = Path(sys.executable).parent / "bai"
TABLES = {"tbl_auth_users", "tbl_company", "tbl_auth_users_count", "tbl_login_codes"}


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    url = create_database("bai_migrations")
    try:
        yield url
    finally:
        drop_database(url)


def inspect_sync(url: str, look: Any) -> Any:
    async def run() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(look)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def tables(url: str) -> set[str]:
    return set(inspect_sync(url, lambda connection: inspect(connection).get_table_names())) - {
        "alembic_version"
    }


def drift(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


def test_migrations_go_forward_and_back_on_postgres(empty_postgres: str) -> None:
    upgrade(empty_postgres)
    assert tables(empty_postgres) == TABLES

    downgrade(empty_postgres, "base")
    assert tables(empty_postgres) == set()

    upgrade(empty_postgres)
    assert tables(empty_postgres) == TABLES


def test_migrated_postgres_schema_matches_the_code(empty_postgres: str) -> None:
    upgrade(empty_postgres)

    assert inspect_sync(empty_postgres, drift) == []


def test_migrated_sqlite_schema_matches_the_code(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bai.db'}"
    upgrade(url)

    assert inspect_sync(url, drift) == []


def test_migrators_on_several_hosts_at_once_do_not_collide(
    empty_postgres: str, tmp_path: Path
) -> None:
    env = {**os.environ, "BAI_DATABASE_URL": empty_postgres, "BAI_DATA_DIR": str(tmp_path)}
    migrators = [
        subprocess.Popen(
            [str(BAI), "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(3)
    ]

    said = [migrator.communicate(timeout=60)[0].decode() for migrator in migrators]

    assert [migrator.returncode for migrator in migrators] == [0, 0, 0]
    assert tables(empty_postgres) == TABLES
    applied = [text for text in said if "applied migrations 0001, 0002, 0003" in text]
    assert len(applied) == 1
    assert sum("no migration to apply" in text for text in said) == 2


def test_bai_migrate_says_which_migrations_it_applied(tmp_path: Path) -> None:
    env = {**os.environ, "BAI_DATA_DIR": str(tmp_path)}
    env.pop("BAI_DATABASE_URL", None)

    def migrate() -> str:
        done = subprocess.run(
            [str(BAI), "migrate"], env=env, capture_output=True, text=True, check=True
        )
        return done.stderr

    assert "applied migrations 0001, 0002, 0003: the schema is up to date" in migrate()
    again = migrate()
    assert "no migration to apply: the schema was up to date" in again
    assert "applied" not in again


def test_migrating_twice_changes_nothing(empty_postgres: str) -> None:
    upgrade(empty_postgres)
    upgrade(empty_postgres)

    assert inspect_sync(empty_postgres, drift) == []
