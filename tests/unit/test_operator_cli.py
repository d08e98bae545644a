"""What operators read before they run anything: `--help` of `bai users` and each action, and
how a command names the storage it works on."""

from pathlib import Path

import pytest

from bai.entrypoints.cli import main
from bai.entrypoints.config.database_urls import shown_storage

# Each action, and what its help must tell: what it does, takes and prints.
PROMISES = {
    "list": ["JSON lines", "--status", "--since", "--phone", "--limit", "--after", "stderr"],
    "show": ["PB_ID_OR_OPENID", "JSON", "masked", "exit 1"],
    "disable": ["PB_ID", "401", "until enabled", "prints one line"],
    "enable": ["PB_ID", "disabled account back in", "prints one line"],
    "revoke": ["PB_ID", "new token key", "prints one line"],
    "delete": ["PB_ID", "Remove the account", "prints one line"],
}


def help_of(capsys: pytest.CaptureFixture[str], *command: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    return " ".join(capsys.readouterr().out.split())  # the text, whatever its line breaks


def test_users_help_lists_every_action_with_what_it_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = help_of(capsys, "users")

    for action in PROMISES:
        assert f" {action} " in text
    assert "print accounts as JSON lines" in text
    assert "give the account a new token key" in text


@pytest.mark.parametrize("action", PROMISES)
def test_each_action_says_what_it_takes_and_prints(
    capsys: pytest.CaptureFixture[str], action: str
) -> None:
    text = help_of(capsys, "users", action)

    for promise in PROMISES[action]:
        assert promise in text, promise


def test_a_sqlite_file_is_named_by_its_absolute_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)

    assert shown_storage("sqlite+aiosqlite:///./bai_data/bai.db") == (
        f"SQLite file {tmp_path.resolve() / 'bai_data' / 'bai.db'}"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+asyncpg://bai:s3cret@db:5432/bai", "postgresql+asyncpg://bai:***@db:5432/bai"),
        ("postgresql+asyncpg://bai@db/bai?password=s3cret", "postgresql+asyncpg://bai@db/bai"),
        (
            "pocketbase://root%40example.com:s3cret@127.0.0.1:8090",
            "pocketbase://root%40example.com:***@127.0.0.1:8090",
        ),
        ("memory://", "memory://"),
    ],
)
def test_other_stores_are_named_without_their_password(url: str, shown: str) -> None:
    assert shown_storage(url) == shown
