"""A secret file that is not a regular file of its own stops `bai serve` and `bai
import-pocketbase` in one line (a FIFO used to block them forever), and the import never
changes a file's mode through a link."""

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from devtools.net import free_port

from tests.support.data_dirs import SECRET, bai_import, data_dir_with

BAI = Path(sys.executable).parent / "bai"


def bai(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BAI, *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,  # a safety net only: a refusal takes a second or two
        check=False,
    )


def import_nothing(tmp_path: Path, secret_file: Path) -> subprocess.CompletedProcess[str]:
    """`bai import-pocketbase` of a data dir with no users into a new SQLite file."""
    return bai_import(
        f"sqlite+aiosqlite:///{tmp_path / 'bai.db'}",
        data_dir_with(tmp_path / "pb_data", []),
        secret_file,
    )


def fifo(folder: Path) -> Path:
    os.mkfifo(folder / "token_secret")
    return folder / "token_secret"


def link_to_shared(folder: Path) -> Path:
    (folder / "token_secret").symlink_to(folder / "shared")
    return folder / "token_secret"


def test_serve_refuses_a_fifo_as_its_secret_file_at_once(tmp_path: Path) -> None:
    path = fifo(tmp_path)

    done = bai(
        "serve",
        BAI_TOKEN_SECRET_FILE=str(path),
        BAI_DATA_DIR=str(tmp_path),
        BAI_PORT=str(free_port()),
    )

    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (
        f"bai: configuration error: BAI_TOKEN_SECRET_FILE: {path} is a FIFO, not a regular file\n"
    )


@pytest.mark.parametrize(("make", "kind"), [(fifo, "a FIFO"), (link_to_shared, "a symbolic link")])
def test_the_import_refuses_at_once_and_changes_no_mode_through_a_link(
    tmp_path: Path, make: Callable[[Path], Path], kind: str
) -> None:
    shared = tmp_path / "shared"  # holding the very secret, readable by others
    shared.write_text(SECRET + "\n")
    shared.chmod(0o644)
    secret_file = make(tmp_path)

    done = import_nothing(tmp_path, secret_file)

    assert done.returncode == 2
    assert done.stderr.splitlines()[1:] == [
        f"bai import-pocketbase: {secret_file} is {kind}, not a regular file"
    ]
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644
    assert not (tmp_path / "bai.db").exists()
