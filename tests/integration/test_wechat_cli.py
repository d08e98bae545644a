"""`bai wechat events` and `bai wechat revoke` as an operator runs them, on a SQLite file the
tests fill through its storage (the command's own entry point, in this process)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import pytest

from bai.adapters.backends import storage_for
from bai.adapters.storage import Storage, StorageOptions
from bai.adapters.system.clock import SystemClock
from bai.domain.entities import User
from bai.domain.identities import Identity
from tests.integration.test_identities_cli import AT, Operator, apps_file, operator
from tests.support.builders import a_user
from tests.support.cli import cli
from tests.support.identity_stores import PRIMARY

__all__ = ["apps_file", "cli", "operator"]
T = TypeVar("T")


def on_storage(sqlite_url: str, act: Callable[[Storage], Awaitable[T]]) -> T:
    """`act` on the SQLite file's storage, as the server builds it."""

    async def run() -> T:
        storage = storage_for(StorageOptions(url=sqlite_url), clock=SystemClock())
        try:
            return await act(storage)
        finally:
            await storage.close()

    return asyncio.run(run())


def profiled(sqlite_url: str, openid: str, phone: str) -> User:
    """A user of the primary app with a phone and a name."""
    user = replace(a_user(openid=openid), users_phone=phone, users_name="张三")
    identity = Identity(appid=PRIMARY, openid=openid, pb_id=user.pb_id, created=AT)
    return on_storage(sqlite_url, lambda storage: storage.identities.register(user, identity))


def phone_of(sqlite_url: str, openid: str) -> str:
    user = on_storage(sqlite_url, lambda storage: storage.users.get_by_openid(openid))
    assert user is not None
    return user.users_phone


@pytest.fixture
def revoked_list(tmp_path: Path) -> Path:
    path = tmp_path / "revoked.txt"
    path.write_text("# WeChat's e-mail, 2026-12-06\no-one 8\n\no-two\no-nobody 6\n", "utf-8")
    return path


def test_revoke_counts_first_and_writes_only_with_apply(
    sqlite_url: str, operator: Operator, revoked_list: Path
) -> None:
    profiled(sqlite_url, "o-one", "13800000001")
    profiled(sqlite_url, "o-two", "13800000002")
    args = ("wechat", "revoke", "--appid", PRIMARY, "--openids", str(revoked_list))

    dry = operator(*args)
    untouched = phone_of(sqlite_url, "o-one")
    applied = operator(*args, "--apply")

    assert dry.returncode == applied.returncode == 0, dry.stderr + applied.stderr
    assert dry.stdout.strip() == (
        "2 users named, 1 openids unknown; would clear: users_name of 1, users_phone of 2"
        " (dry run: --apply to write)"
    )
    assert untouched == "13800000001"
    assert applied.stdout.startswith("2 users named, 1 openids unknown; cleared:")
    assert phone_of(sqlite_url, "o-one") == phone_of(sqlite_url, "o-two") == ""
    events = operator("wechat", "events")
    lines = [json.loads(line) for line in events.stdout.splitlines()]
    assert sorted(line["outcome"] for line in lines) == ["cleared", "cleared", "unknown_openid"]
    assert "o-one" not in events.stdout + events.stderr
    assert events.stderr.strip().endswith("# 3 shown")


def test_events_are_listed_for_one_user_and_page_by_page(
    sqlite_url: str, operator: Operator, revoked_list: Path
) -> None:
    one = profiled(sqlite_url, "o-one", "13800000001")
    profiled(sqlite_url, "o-two", "13800000002")
    operator("wechat", "revoke", "--appid", PRIMARY, "--openids", str(revoked_list), "--apply")

    theirs = operator("wechat", "events", "--user", one.pb_id)
    first = operator("wechat", "events", "--limit", "2")
    last = json.loads(first.stdout.splitlines()[-1])
    rest = operator("wechat", "events", "--before", last["received"], last["id"])

    assert [json.loads(line)["pb_id"] for line in theirs.stdout.splitlines()] == [one.pb_id]
    assert len(first.stdout.splitlines()) == 2
    assert len(rest.stdout.splitlines()) == 1, rest.stderr


@pytest.mark.parametrize(
    ("content", "args", "said"),
    [
        ("o-one 8\n", ("--appid", "wxnotours0000001"), "is not a configured mini-program"),
        ("o-one 8 6 x\n", ("--appid", PRIMARY), "line 1 is not an openid and its codes"),
        ("o-one eight\n", ("--appid", PRIMARY), "line 1 is not an openid and its codes"),
        ("o-one ８\n", ("--appid", PRIMARY), "line 1 is not an openid and its codes"),
        ("o-one " + "8," * 80 + "8\n", ("--appid", PRIMARY), "line 1 is not an openid and"),
        (b"\xff\xfe", ("--appid", PRIMARY), "cannot be read: UnicodeDecodeError"),
    ],
)
def test_a_list_that_cannot_be_applied_is_refused_in_one_line(  # noqa: PLR0917
    sqlite_url: str,
    operator: Operator,
    tmp_path: Path,
    content: str | bytes,
    args: tuple[str, ...],
    said: str,
) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    profiled(sqlite_url, "o-one", "13800000001")

    refused = operator("wechat", "revoke", "--openids", str(path), *args, "--apply")

    assert refused.returncode == 2
    assert said in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 2  # the storage line, then the refusal
    assert phone_of(sqlite_url, "o-one") == "13800000001"


def test_a_spreadsheets_list_is_read_as_written(
    sqlite_url: str, operator: Operator, tmp_path: Path
) -> None:
    profiled(sqlite_url, "o-one", "13800000001")
    path = tmp_path / "revoked.csv"
    path.write_bytes("\ufeffo-one,8\no-one,6\no-nobody\n".encode())  # Excel's BOM; one twice

    dry = operator("wechat", "revoke", "--appid", PRIMARY, "--openids", str(path))

    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith(
        "1 users named, 1 openids unknown; would clear: users_name of 1, users_phone of 1"
    )


def test_a_list_that_is_not_a_regular_file_is_refused_at_once(
    sqlite_url: str, operator: Operator
) -> None:
    refused = operator("wechat", "revoke", "--appid", PRIMARY, "--openids", "/dev/zero")

    assert refused.returncode == 2
    assert refused.stderr.strip().endswith("/dev/zero is not a regular file")
