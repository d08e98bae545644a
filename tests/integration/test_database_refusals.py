"""`bai serve` and `bai migrate` on a database that is missing, unreachable or unresolvable:
one line naming the setting, the database (no password) and the reason; exit 1."""

import subprocess
import sys
from pathlib import Path

import pytest
from devtools.net import free_port

BAI = Path(sys.executable).parent / "bai"


def run(command: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": "/usr/bin:/bin", "BAI_DATA_DIR": str(tmp_path), **env}
    return subprocess.run(
        [str(BAI), command],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["serve", "migrate"])
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "postgresql://postgres:s3cret-pw@127.0.0.1:5432/bai_no_such_database",
            'database "bai_no_such_database" does not exist',
        ),
        ("postgresql://postgres:s3cret-pw@127.0.0.1:{closed}/bai", "Connect call failed"),
        (
            "postgresql://postgres:s3cret-pw@no-such-host.invalid:5432/bai",
            "Name or service not known",
        ),
    ],
)
def test_an_unusable_database_is_one_line_naming_it_and_why(
    tmp_path: Path, command: str, url: str, reason: str
) -> None:
    url = url.format(closed=free_port())

    result = run(command, tmp_path, BAI_DATABASE_URL=url)

    assert result.returncode == 1
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
