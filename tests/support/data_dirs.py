"""PocketBase data directories made by hand (the `data.db` tables the import reads, holding the
records a test gives, of any shape, without running PocketBase), and `bai import-pocketbase` run
on one as an operator runs it."""

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bai.adapters.pocketbase.records import NUMBER_FIELDS, TEXT_FIELDS, record_of
from tests.support.builders import a_user
from tests.support.cli import Cli, Ran

BAI = Path(sys.executable).parent / "bai"
COLLECTION_ID = "pbc_421601843"
SECRET = "s" * 50
COLUMNS = ["id", "tokenKey", "created", "updated", "users_idtype", "users_status"]
COLUMNS += [*TEXT_FIELDS, *NUMBER_FIELDS]


def a_record(**fields: Any) -> dict[str, Any]:
    """A valid `tbl_auth_users` record, with `fields` in place of its own."""
    return record_of(a_user()) | fields


def data_dir_with(folder: Path, records: list[dict[str, Any]], *spoilers: str) -> Path:
    """`folder` as a data directory holding `records`, then changed by the SQL of `spoilers`."""
    folder.mkdir(exist_ok=True)
    database = folder / "data.db"
    database.unlink(missing_ok=True)
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE _collections (id TEXT, name TEXT, type TEXT, options TEXT)")
        options = json.dumps({"authToken": {"secret": SECRET}})
        db.execute(
            "INSERT INTO _collections VALUES (?, 'tbl_auth_users', 'auth', ?)",
            (COLLECTION_ID, options),
        )
        db.execute(f"CREATE TABLE tbl_auth_users ({', '.join(COLUMNS)})")
        for record in records:
            db.execute(
                f"INSERT INTO tbl_auth_users VALUES ({', '.join('?' * len(COLUMNS))})",  # noqa: S608
                [record[column] for column in COLUMNS],
            )
        for spoiler in spoilers:
            db.executescript(spoiler)
    db.close()
    return folder


def bai_import(url: str, data_dir: Path, secret_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BAI, "import-pocketbase", "--data-dir", data_dir, "--secret-file", secret_file],
        env={"BAI_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


ImportRun = Callable[[str, Path, Path], Ran]


@pytest.fixture
def import_pocketbase(cli: Cli, tmp_path: Path) -> ImportRun:
    """`bai import-pocketbase` into `url` through bai's entry point, in this process."""

    def run(url: str, data_dir: Path, secret_file: Path) -> Ran:
        arguments = ("--data-dir", str(data_dir), "--secret-file", str(secret_file))
        return cli("import-pocketbase", *arguments, cwd=tmp_path, BAI_DATABASE_URL=url)

    return run
