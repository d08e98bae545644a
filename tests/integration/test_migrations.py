"""Migrations run forward and back on PostgreSQL, and the schema is what the code expects."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from devtools.postgres import drop_database
from sqlalchemy import Connection, Table, inspect, select
from sqlalchemy.ext.asyncio import create_async_engine

from bai.adapters.rows.identities import identity_of_row
from bai.adapters.rows.tables import auth_identities, auth_sessions, auth_users, metadata
from bai.adapters.rows.users import row_of_user
from bai.adapters.sqlalchemy.migrate import downgrade, upgrade
from bai.adapters.storage import MigrationRefused
from bai.domain.entities import User
from bai.domain.identities import Identity
from tests.support.builders import a_platform_user, a_user
from tests.support.cli import Cli
from tests.support.databases import create_database

BAI = Path(sys.executable).parent / "bai"
TABLES = {
    "tbl_auth_users",
    "tbl_company",
    "tbl_auth_users_count",
    "tbl_login_codes",
    "tbl_auth_identities",
    "tbl_identity_conflicts",
    "tbl_auth_sessions",
    "tbl_wechat_push_events",
    "tbl_bai_operators",
    "tbl_bai_audit",
}
ALL_APPLIED = "applied migrations 0001, 0002, 0003, 0004, 0005, 0006, 0007"
BEFORE_IDENTITIES = "0003"
PRIMARY = "wx0123456789abcdef"


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
    applied = [text for text in said if ALL_APPLIED in text]
    assert len(applied) == 1
    assert sum("no migration to apply" in text for text in said) == 2


def test_bai_migrate_says_which_migrations_it_applied(tmp_path: Path, cli: Cli) -> None:
    def migrate() -> str:
        done = cli("migrate", cwd=tmp_path, BAI_DATA_DIR=str(tmp_path))
        assert done.returncode == 0, done.stderr
        return done.stderr

    assert f"{ALL_APPLIED}: the schema is up to date" in migrate()
    again = migrate()
    assert "no migration to apply: the schema was up to date" in again
    assert "applied" not in again


def test_migrating_twice_changes_nothing(empty_postgres: str) -> None:
    upgrade(empty_postgres)
    upgrade(empty_postgres)

    assert inspect_sync(empty_postgres, drift) == []


def add_users(url: str, *users: User) -> None:
    """Users as an older BAI stored them (no identities)."""

    async def run() -> None:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(auth_users.insert(), [row_of_user(u) for u in users])
        finally:
            await engine.dispose()

    asyncio.run(run())


def identities(url: str) -> list[Identity]:
    def read(connection: Connection) -> list[Identity]:
        rows = connection.execute(select(auth_identities).order_by(auth_identities.c.pb_id))
        return [identity_of_row(row) for row in rows.mappings()]

    found: list[Identity] = inspect_sync(url, read)
    return found


@pytest.fixture(params=["postgresql", "sqlite"])
def before_identities(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated up to the revision before identities existed."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bai.db'}"
        upgrade(url, BEFORE_IDENTITIES)
        yield url
        return
    url = create_database("bai_migrations")
    try:
        upgrade(url, BEFORE_IDENTITIES)
        yield url
    finally:
        drop_database(url)


def test_existing_users_get_their_identity_in_the_primary_app(before_identities: str) -> None:
    wechat = replace(a_user(openid="o-1"), unionid="u-1")
    older = a_user(openid="o-2")
    add_users(before_identities, wechat, older, a_platform_user())

    assert upgrade(before_identities, primary_appid=PRIMARY) == ["0004", "0005", "0006", "0007"]

    expected = [
        Identity(
            appid=PRIMARY, openid=u.openid, pb_id=u.pb_id, unionid=u.unionid, created=u.created
        )
        for u in sorted([wechat, older], key=lambda each: each.pb_id)
    ]
    assert identities(before_identities) == expected
    assert inspect_sync(before_identities, drift) == []


def test_without_a_primary_app_no_identity_is_made(before_identities: str) -> None:
    add_users(before_identities, a_user())

    upgrade(before_identities)

    assert identities(before_identities) == []


def test_users_sharing_a_unionid_stop_the_migration_by_name(before_identities: str) -> None:
    first, second = (replace(a_user(), unionid="u-shared") for _ in range(2))
    add_users(before_identities, first, second, replace(a_user(), unionid="u-own"), a_user())

    with pytest.raises(MigrationRefused) as refused:
        upgrade(before_identities, primary_appid=PRIMARY)

    said = str(refused.value)
    assert first.pb_id in said
    assert second.pb_id in said
    assert "u-shared" not in said
    assert "\n" not in said
    assert "tbl_auth_identities" not in tables(before_identities)


def test_bai_migrate_refuses_in_one_line_and_exit_status_2(tmp_path: Path, cli: Cli) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bai.db'}"
    upgrade(url, BEFORE_IDENTITIES)
    first, second = (replace(a_user(), unionid="u-shared") for _ in range(2))
    add_users(url, first, second)

    done = cli("migrate", cwd=tmp_path, BAI_DATABASE_URL=url, BAI_DATA_DIR=str(tmp_path))

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("bai: BAI_DATABASE_URL (SQLite file ")
    assert "cannot be migrated" in line
    assert first.pb_id in line
    assert second.pb_id in line


def test_bai_migrate_gives_users_their_identity_in_the_configured_app(
    tmp_path: Path, cli: Cli
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bai.db'}"
    upgrade(url, BEFORE_IDENTITIES)
    user = a_user()
    add_users(url, user)
    env = {"BAI_DATABASE_URL": url, "BAI_WECHAT_APPID": PRIMARY, "BAI_WECHAT_SECRET": "s" * 32}

    done = cli("migrate", cwd=tmp_path, BAI_DATA_DIR=str(tmp_path), **env)

    assert done.returncode == 0, done.stderr
    assert [(i.appid, i.pb_id) for i in identities(url)] == [(PRIMARY, user.pb_id)]


@pytest.mark.parametrize("table", [auth_identities, auth_sessions], ids=lambda table: table.name)
def test_a_users_identities_and_sessions_go_with_it_as_declared(
    before_identities: str, table: Table
) -> None:
    """Alembic's comparison leaves out what a foreign key does on delete: checked here."""

    def foreign_keys(connection: Connection) -> list[tuple[list[str], str, str | None]]:
        found = inspect(connection).get_foreign_keys(table.name)
        return [
            (key["constrained_columns"], key["referred_table"], key["options"].get("ondelete"))
            for key in found
        ]

    upgrade(before_identities)

    declared = [
        ([key.parent.name], key.column.table.name, key.ondelete) for key in table.foreign_keys
    ]
    assert declared == [(["pb_id"], "tbl_auth_users", "CASCADE")]
    assert inspect_sync(before_identities, foreign_keys) == declared


def test_partial_indexes_have_their_declared_conditions(before_identities: str) -> None:
    """Alembic's comparison leaves out a partial index's condition too: checked here (in the
    words each database gives it back, less parentheses, casts to text and spaces)."""

    def condition(where: object) -> str:
        text = str(where).replace("::text", "")
        return "".join(char for char in text if char not in "() ")

    def found(connection: Connection) -> dict[str, str]:
        where = f"{connection.dialect.name}_where"
        return {
            index["name"]: condition(index["dialect_options"][where])
            for table in metadata.tables
            for index in inspect(connection).get_indexes(table)
            if where in index.get("dialect_options", {}) and index["name"]
        }

    upgrade(before_identities)

    dialect = "sqlite" if before_identities.startswith("sqlite") else "postgresql"
    declared = {
        str(index.name): condition(index.dialect_options[dialect]["where"])
        for table in metadata.tables.values()
        for index in table.indexes
        if index.dialect_options[dialect]["where"] is not None
    }
    assert "ix_auth_sessions_ended" in declared
    assert inspect_sync(before_identities, found) == declared
