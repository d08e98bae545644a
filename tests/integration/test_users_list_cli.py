"""`bai users list` as an operator runs it, on a SQLite file the tests fill; and what every
operator command says about its storage, and does not make, wherever it is run."""

import asyncio
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bai.adapters.sqlalchemy.engine import create_engine
from bai.adapters.sqlalchemy.user_repository import SqlAlchemyUserRepository
from bai.domain.entities import User, UserStatus
from tests.integration.test_served import BAI
from tests.support.builders import a_user
from tests.support.cli import Cli, Ran, cli

__all__ = ["cli"]

FIRST = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
PHONE = "13800138000"


def bai(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`bai ARGS` in `cwd`, with no BAI_* setting but those given."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("BAI_")}
    return subprocess.run(
        [str(BAI), *args],
        env=clean | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def seed(url: str, *crowd: User) -> None:
    async def add() -> None:
        engine = create_engine(url)
        try:
            for user in crowd:
                await SqlAlchemyUserRepository(engine).add_if_absent(user)
        finally:
            await engine.dispose()

    asyncio.run(add())


def registered(day: int, **fields: object) -> User:
    moment = FIRST + timedelta(days=day)
    return replace(a_user(), created=moment, updated=moment, **fields)  # type: ignore[arg-type]


@pytest.fixture
def crowd(sqlite_url: str) -> list[User]:
    """Three users, in the order they registered: with a phone, disabled, plain."""
    users = [
        registered(0, users_phone=PHONE),
        registered(1, users_status=UserStatus.DISABLED),
        registered(2),
    ]
    seed(sqlite_url, *reversed(users))
    return users


@pytest.fixture
def listed(sqlite_url: str, tmp_path: Path, cli: Cli) -> Callable[..., Ran]:
    """`bai users list OPTIONS` on the SQLite file."""

    def run(*options: str) -> Ran:
        return cli("users", "list", *options, cwd=tmp_path, BAI_DATABASE_URL=sqlite_url)

    return run


def pb_ids(result: Ran) -> list[str]:
    return [json.loads(line)["pb_id"] for line in result.stdout.splitlines()]


def test_a_page_is_json_lines_as_show_prints_them_with_the_next_cursor(
    sqlite_url: str, tmp_path: Path, crowd: list[User], listed: Callable[..., Ran], cli: Cli
) -> None:
    first = listed("--limit", "2")
    rest = listed("--limit", "2", "--after", crowd[1].pb_id)
    shown = cli("users", "show", crowd[0].pb_id, cwd=tmp_path, BAI_DATABASE_URL=sqlite_url)

    assert first.returncode == rest.returncode == 0
    assert pb_ids(first) == [crowd[0].pb_id, crowd[1].pb_id]
    fields = json.loads(shown.stdout)
    del fields["identities"], fields["sessions"]  # `show` alone lists them
    assert json.loads(first.stdout.splitlines()[0]) == fields
    assert json.loads(first.stdout.splitlines()[0])["users_phone"] == "138****8000"
    assert PHONE not in first.stdout + first.stderr
    assert first.stderr.splitlines()[-1] == f"# 2 shown; next: --after {crowd[1].pb_id}"
    assert pb_ids(rest) == [crowd[2].pb_id]
    assert rest.stderr.splitlines()[-1] == "# 1 shown; no more"


@pytest.mark.parametrize(
    ("options", "chosen"),
    [
        (("--status", "disabled"), [1]),
        (("--status", "active"), [0, 2]),
        (("--phone", "yes"), [0]),
        (("--phone", "no"), [1, 2]),
        (("--since", "2026-02-02T09:30:00Z"), [1, 2]),
        (("--since", "2026-02-02"), [1, 2]),
        (("--since", "2026-02-02T10:30:00+01:00", "--status", "active"), [2]),
    ],
)
def test_filters_choose_the_users(
    crowd: list[User], listed: Callable[..., Ran], options: tuple[str, ...], chosen: list[int]
) -> None:
    result = listed(*options)

    assert result.returncode == 0, result.stderr
    assert pb_ids(result) == [crowd[n].pb_id for n in chosen]


def test_nothing_matching_is_an_empty_last_page(
    crowd: list[User], listed: Callable[..., Ran]
) -> None:
    result = listed("--since", "2030-01-01")

    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "# 0 shown; no more"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (("--since", "last tuesday"), "--since"),
        (("--since", "2026-02-30"), "--since"),
        (("--limit", "1001"), "--limit"),
        (("--limit", "0"), "--limit"),
        (("--after", "NOT-A-PB-ID"), "--after"),
        (("--after", "nobody000000000"), "--after"),
    ],
)
def test_a_malformed_option_is_one_line_and_exit_2(
    crowd: list[User], listed: Callable[..., Ran], options: tuple[str, ...], named: str
) -> None:
    result = listed(*options)

    assert result.returncode == 2
    assert result.stdout == ""
    storage, refusal = result.stderr.splitlines()
    assert storage.startswith("bai: storage: SQLite file ")
    assert refusal.startswith(f"bai users list: {named} ")


@pytest.mark.parametrize("command", [("users", "list"), ("users", "show", "abcdefghijklmno")])
def test_run_elsewhere_nothing_is_made_and_the_file_looked_for_is_named(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = bai(*command, cwd=tmp_path)

    expected = tmp_path.resolve() / "bai_data" / "bai.db"
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == f"bai: storage: SQLite file {expected}"
    assert f"no database at {expected}" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_migrate_names_postgresql_without_its_password_and_makes_no_data_dir(
    postgresql_url: str, tmp_path: Path
) -> None:
    with_password = postgresql_url.replace("://postgres@", "://postgres:hunter2@", 1)
    assert with_password != postgresql_url

    result = bai("migrate", cwd=tmp_path, BAI_DATABASE_URL=with_password)

    assert result.returncode == 0, result.stderr
    assert "bai: storage: postgresql+asyncpg://postgres:***@" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []
