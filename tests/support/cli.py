"""`bai ARGS` through its entry point in the test's own process: what an operator's shell gets
(exit status, stdout, stderr) without starting an interpreter per command. A test that needs
the installed program itself (what it makes on disk, what a separate process sees) runs it as
one instead (`tests/integration/test_users_list_cli.py`, `bai`)."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bai.entrypoints.cli import main


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Ran]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`cli(*args, cwd=PATH, **BAI_VARIABLES)`: with no BAI_* setting but those given."""

    def run(*args: str, cwd: Path, **env: str) -> Ran:
        with monkeypatch.context() as patched:
            for name in [name for name in os.environ if name.startswith("BAI_")]:
                patched.delenv(name)
            for name, value in env.items():
                patched.setenv(name, value)
            patched.chdir(cwd)
            capsys.readouterr()
            status = main(list(args))
            out, err = capsys.readouterr()
        return Ran(status, out, err)

    return run
