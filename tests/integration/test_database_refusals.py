"""`bai serve` and `bai migrate` on a database that is missing, unreachable or unresolvable:
one line naming the setting, the database (no password) and the reason; exit 1."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from devtools.net import free_port

BAI = Path(sys.executable).parent / "bai"
MISSING = "postgresql://postgres:s3cret-pw@127.0.0.1:5432/bai_no_such_database"


def run(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "BAI_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [str(BAI), *command.split()],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "url", "reason"),
    [
        *[
            (command, MISSING, 'database "bai_no_such_database" does not exist')
            for command in ("serve", "migrate", "users list")
        ],
        ("serve", "postgresql://postgres:s3cret-pw@127.0.0.1:{closed}/bai", "Connect call failed"),
        (  # the reason is the C library's, worded by its resolver (another one without DNS)
            "serve",
            "postgresql://postgres:s3cret-pw@no-such-host.invalid:5432/bai",
            "@no-such-host.invalid:5432/bai) cannot be reached or migrated: ",
        ),
    ],
)
def test_an_unusable_database_is_one_line_naming_it_and_why(
    tmp_path: Path, command: str, url: str, reason: str
) -> None:
    url = url.format(closed=free_port())

    result = run(command, tmp_path, BAI_DATABASE_URL=url)

    assert result.returncode == 1
    if command == "users list":  # its stdout is for `jq`; its lines say why on stderr
        assert result.stdout == ""
        assert "storage unavailable" in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("bai users: the storage")
    else:
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith("bai: BAI_DATABASE_URL (postgresql+asyncpg://postgres:***@")
        assert "cannot be reached or migrated" in line
        assert reason in line
    assert "s3cret-pw" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_the_migration_url_is_named_when_it_is_the_one_that_fails(tmp_path: Path) -> None:
    result = run(
        "migrate",
        tmp_path,
        BAI_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/postgres",
        BAI_MIGRATION_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/bai_no_such_database",
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("bai: BAI_MIGRATION_DATABASE_URL (")


def test_a_database_that_never_answers_is_refused_in_seconds_not_a_minute(tmp_path: Path) -> None:
    with socket.socket() as silent:  # the kernel accepts connections; nothing ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        started = time.monotonic()

        result = run(
            "migrate", tmp_path, BAI_DATABASE_URL=f"postgresql://postgres@127.0.0.1:{port}/b"
        )

    assert result.returncode == 1
    assert "cannot be reached or migrated: TimeoutError" in result.stderr
    assert time.monotonic() - started < 20
