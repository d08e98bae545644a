"""Every command on a database that is missing, unreachable, unresolvable or away (PostgreSQL or
PocketBase): one line on stderr naming the setting, the database (no password) and the driver's
reason; exit 1. A database without BAI's tables: one line saying to run `bai migrate`; exit 2."""

import socket
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from devtools.net import free_port

from tests.integration.test_migrations import empty_postgres  # noqa: F401 (a fixture)
from tests.support.cli import Cli, Ran, cli
from tests.support.data_dirs import data_dir_with

__all__ = ["cli"]
MISSING = "postgresql://postgres:s3cret-pw@127.0.0.1:5432/bai_no_such_database"


Run = Callable[..., Ran]


@pytest.fixture
def run(cli: Cli) -> Run:
    """`bai COMMAND` (its entry point, in this process) with only these settings."""

    def command(line: str, tmp_path: Path, **env: str) -> Ran:
        return cli(*line.split(), cwd=tmp_path, BAI_DATA_DIR=str(tmp_path), **env)

    return command


PREFIXES = {"users": "bai users", "import-pocketbase": "bai import-pocketbase"}


def command_line(command: str, tmp_path: Path) -> str:
    if command == "import-pocketbase":  # a data dir good enough to get to the database
        data_dir = data_dir_with(tmp_path / "pb_data", [])
        return f"{command} --data-dir {data_dir} --secret-file {tmp_path / 'secret'}"
    return command


@pytest.mark.parametrize(
    ("command", "url", "reason"),
    [
        *[
            (
                command,
                MISSING,
                'InvalidCatalogNameError: database "bai_no_such_database" does not exist',
            )
            for command in ("serve", "migrate", "users list", "import-pocketbase")
        ],
        ("serve", "postgresql://postgres:s3cret-pw@127.0.0.1:{closed}/bai", "Connect call failed"),
        (  # the reason is the C library's, worded by its resolver (another one without DNS)
            "serve",
            "postgresql://postgres:s3cret-pw@no-such-host.invalid:5432/bai",
            "@no-such-host.invalid:5432/bai) cannot be reached or used: gaierror: ",
        ),
        *[
            (command, "pocketbase://a%40b.c:s3cret-pw@127.0.0.1:{closed}", "ConnectError")
            for command in ("serve", "migrate")
        ],
    ],
)
def test_an_unusable_database_is_one_line_naming_it_and_why(
    tmp_path: Path, run: Run, command: str, url: str, reason: str
) -> None:
    url = url.format(closed=free_port())

    result = run(command_line(command, tmp_path), tmp_path, BAI_DATABASE_URL=url)

    assert result.returncode == 1
    if command != "serve":  # whose stdout is its log
        assert result.stdout == ""
    line = result.stderr.strip().splitlines()[-1]
    shown = url.replace("s3cret-pw", "***").replace("postgresql://", "postgresql+asyncpg://")
    prefix = PREFIXES.get(command.split(maxsplit=1)[0], "bai")
    assert line.startswith(f"{prefix}: BAI_DATABASE_URL ({shown.split('***')[0]}***@")
    assert "cannot be reached or used: " in line
    assert reason in line
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("store", ["postgresql", "sqlite"])
def test_a_database_without_bai_tables_says_to_run_bai_migrate(
    tmp_path: Path, run: Run, store: str, request: pytest.FixtureRequest
) -> None:
    if store == "sqlite":
        sqlite3.connect(tmp_path / "other.db").close()  # a file, but not BAI's
        url = f"sqlite+aiosqlite:///{tmp_path / 'other.db'}"
    else:
        url = request.getfixturevalue("empty_postgres")

    result = run("users disable somebody", tmp_path, BAI_DATABASE_URL=url)

    assert result.returncode == 2
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("bai users: BAI_DATABASE_URL (")
    assert line.endswith("has none of BAI's tables: run `bai migrate`")
    assert "Traceback" not in result.stderr


def test_the_migration_url_is_named_when_it_is_the_one_that_fails(tmp_path: Path, run: Run) -> None:
    result = run(
        "migrate",
        tmp_path,
        BAI_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/postgres",
        BAI_MIGRATION_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/bai_no_such_database",
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("bai: BAI_MIGRATION_DATABASE_URL (")


def test_a_database_that_never_answers_is_refused_in_seconds_not_a_minute(
    tmp_path: Path, run: Run
) -> None:
    with socket.socket() as silent:  # the kernel accepts connections; nothing ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()

        result = run(
            "migrate", tmp_path, BAI_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/b"
        )

    assert result.returncode == 1
    assert "cannot be reached or used: TimeoutError" in result.stderr
    assert time.monotonic() - started < 20


@pytest.mark.parametrize("command", ["serve", "users list"])
def test_a_password_with_an_unencoded_at_is_refused_without_any_of_it(
    tmp_path: Path, run: Run, command: str
) -> None:
    url = "postgresql://postgres:pa@ssword-secret@127.0.0.1:5432/bai"

    result = run(command, tmp_path, BAI_DATABASE_URL=url)

    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "bai: configuration error: BAI_DATABASE_URL: cannot be read as"
        " scheme://user:password@host:port/database; URL-encode the user name and the password"
        " (an @ in them as %40)\n"
    )


def test_a_url_encoded_password_is_used_and_none_of_it_shown(
    postgres_database: str, tmp_path: Path, run: Run
) -> None:
    assert postgres_database.startswith("postgresql+asyncpg://postgres@")
    encoded = postgres_database.replace("postgres@", "postgres:pa%40ssword-secret@", 1)

    result = run("users list", tmp_path, BAI_DATABASE_URL=encoded)

    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("bai: storage: postgresql+asyncpg://postgres:***@127.0.0.1")
    assert "ssword" not in result.stderr + result.stdout
