"""`bai identities ...` and `bai users show` as an operator runs them: on a SQLite file the tests
fill through its storage's identity store (the command's own entry point, in this process), and
as a program beside a running server with two mini-programs. memory:// is refused (it lives
inside the server)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from bai.adapters.backends import storage_for
from bai.adapters.storage import StorageOptions
from bai.adapters.system.clock import SystemClock
from bai.domain.entities import User
from bai.domain.identities import ConflictKind, Identity, IdentityConflict
from bai.ports.identity_store import IdentityStore
from tests.integration.test_served import serving
from tests.integration.test_users_list_cli import bai
from tests.support.builders import a_user
from tests.support.cli import Cli, Ran, cli
from tests.support.identity_stores import APPS_FILE, OTHER, PRIMARY

T = TypeVar("T")
AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
UNIONID = "u-never-printed"
__all__ = ["cli"]


@pytest.fixture
def apps_file(tmp_path: Path) -> Path:
    path = tmp_path / "apps.toml"
    path.write_text(APPS_FILE, encoding="utf-8")
    return path


def on_store(sqlite_url: str, act: Callable[[IdentityStore], Awaitable[T]]) -> T:
    """`act` on the SQLite file's identity store, as the server's storage builds it."""

    async def run() -> T:
        options = StorageOptions(url=sqlite_url, primary_appid=PRIMARY)
        storage = storage_for(options, clock=SystemClock())
        try:
            return await act(storage.identities)
        finally:
            await storage.close()

    return asyncio.run(run())


def signed_in(sqlite_url: str, app: str = PRIMARY, *, unionid: str = "") -> tuple[User, str]:
    """A user who signed in to `app` first, and its openid there."""
    user = replace(a_user(), unionid=unionid)
    user = user if app == PRIMARY else replace(user, openid="")
    openid = user.openid or f"o-{app}-{user.pb_id}"
    identity = Identity(appid=app, openid=openid, pb_id=user.pb_id, unionid=unionid, created=AT)
    return on_store(sqlite_url, lambda store: store.register(user, identity)), openid


def conflict_of(user: User, openid: str, other: User) -> IdentityConflict:
    return IdentityConflict(
        kind=ConflictKind.UNIONID_TAKEN,
        appid=OTHER,
        openid=openid,
        unionid=UNIONID,
        pb_id=user.pb_id,
        other_pb_id=other.pb_id,
        created=AT,
    )


Operator = Callable[..., Ran]


@pytest.fixture
def operator(sqlite_url: str, apps_file: Path, cli: Cli) -> Operator:
    """`bai ARGS` on the SQLite file, with the two apps."""

    def run(*args: str) -> Ran:
        return cli(
            *args,
            cwd=apps_file.parent,
            BAI_DATABASE_URL=sqlite_url,
            BAI_WECHAT_APPS_FILE=str(apps_file),
        )

    return run


def test_show_lists_a_users_identities_without_their_unionid(
    sqlite_url: str, operator: Operator
) -> None:
    user, openid = signed_in(sqlite_url, OTHER, unionid=UNIONID)

    shown = operator("users", "show", user.pb_id)

    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["identities"] == [
        {"app": OTHER, "openid": openid, "has_unionid": True, "created": "2026-03-04 05:06:07.000Z"}
    ]
    assert UNIONID not in shown.stdout + shown.stderr


def test_conflicts_are_listed_and_dismissed(sqlite_url: str, operator: Operator) -> None:
    (stray, openid), (holder, _) = signed_in(sqlite_url, OTHER), signed_in(sqlite_url)
    conflict = conflict_of(stray, openid, holder)
    on_store(sqlite_url, lambda store: store.add_conflict(conflict))

    listed = operator("identities", "conflicts")
    dismissed = operator("identities", "dismiss", conflict.id)
    open_ones = operator("identities", "conflicts")
    every = operator("identities", "conflicts", "--all")

    assert listed.returncode == 0, listed.stderr
    [line] = [json.loads(each) for each in listed.stdout.splitlines()]
    assert (line["id"], line["kind"], line["app"], line["openid"]) == (
        conflict.id,
        "unionid_taken",
        OTHER,
        openid,
    )
    assert (line["pb_id"], line["other_pb_id"], line["state"]) == (
        stray.pb_id,
        holder.pb_id,
        "open",
    )
    assert listed.stderr.splitlines()[-1] == "# 1 shown; no more"
    assert dismissed.stdout.strip() == f"dismissed conflict {conflict.id}"
    assert open_ones.stdout == ""
    assert json.loads(every.stdout)["state"] == "dismissed"
    assert UNIONID not in listed.stdout + every.stdout


def test_a_conflicts_identity_is_moved_to_the_unionids_holder_as_the_console_does(
    sqlite_url: str, operator: Operator
) -> None:
    (stray, openid), (holder, _) = signed_in(sqlite_url, OTHER), signed_in(sqlite_url)
    conflict = conflict_of(stray, openid, holder)
    on_store(sqlite_url, lambda store: store.add_conflict(conflict))

    moved = operator("identities", "link-conflict", conflict.id)
    again = operator("identities", "link-conflict", conflict.id)
    held = on_store(sqlite_url, lambda store: store.find(OTHER, openid))
    trail = operator("audit", "list", "--target", holder.pb_id)

    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.strip() == (
        f"moved app {OTHER} openid {openid} from user {stray.pb_id} to user {holder.pb_id}"
        " (1 conflict resolved)"
    )
    assert (again.returncode, again.stderr.splitlines()[-1]) == (
        1,
        f"bai identities link-conflict: no open conflict {conflict.id}",
    )
    assert held is not None
    assert held[1].pb_id == holder.pb_id
    assert json.loads(trail.stdout.splitlines()[0])["action"] == "identities.link"


def test_an_identity_is_moved_by_unlink_then_link(sqlite_url: str, operator: Operator) -> None:
    (stray, openid), (holder, _) = signed_in(sqlite_url, OTHER), signed_in(sqlite_url)
    conflict = conflict_of(stray, openid, holder)
    on_store(sqlite_url, lambda store: store.add_conflict(conflict))
    move = ("--app", OTHER, "--openid", openid)

    unlinked = operator("identities", "unlink", *move)
    linked = operator("identities", "link", holder.pb_id, *move)

    assert unlinked.returncode == linked.returncode == 0, unlinked.stderr + linked.stderr
    assert unlinked.stdout.strip() == (
        f"unlinked app {OTHER} openid {openid} from user {stray.pb_id} (1 conflict resolved)"
    )
    assert linked.stdout.strip() == f"linked app {OTHER} openid {openid} to user {holder.pb_id}"
    found = on_store(sqlite_url, lambda store: store.find(OTHER, openid))
    assert found is not None
    assert found[1].pb_id == holder.pb_id
    assert on_store(sqlite_url, lambda store: store.conflicts()) == []


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (("link", "USER", "--app", OTHER, "--openid", "TAKEN"), 1, "link: refused: app "),
        (("link", "nobody000000000", "--app", OTHER, "--openid", "o-x"), 1, "link: no user "),
        (("link", "USER", "--app", "wxnotours", "--openid", "o-x"), 2, "link: --app wxnotours"),
        (("unlink", "--app", OTHER, "--openid", "o-nobody"), 1, "unlink: refused: no user has"),
        (("dismiss", "nosuchconflict0"), 1, "dismiss: no open conflict nosuchconflict0"),
        (("conflicts", "--limit", "0"), 2, "conflicts: --limit "),
    ],
)
def test_a_refusal_is_one_line_on_stderr(
    sqlite_url: str, operator: Operator, args: tuple[str, ...], status: int, said: str
) -> None:
    (_, taken), (user, _) = signed_in(sqlite_url, OTHER), signed_in(sqlite_url)
    names = {"USER": user.pb_id, "TAKEN": taken}

    result = operator("identities", *(names.get(a, a) for a in args))

    assert result.returncode == status
    assert result.stdout == ""
    storage, refusal = result.stderr.splitlines()
    assert storage.startswith("bai: storage: SQLite file ")
    assert refusal.startswith(f"bai identities {said}")


def test_memory_storage_is_refused(tmp_path: Path) -> None:
    result = bai("identities", "conflicts", cwd=tmp_path, BAI_DATABASE_URL="memory://")

    assert result.returncode == 2
    assert "memory:// lives inside the server process" in result.stderr


def login(base: str, app: str, code: str) -> dict[str, object]:
    referer = f"https://servicewechat.com/{app}/0/page-frame.html"
    answer = httpx.post(
        f"{base}/pb/api/wechat/login", json={"users_wx_code": code}, headers={"Referer": referer}
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, object] = answer.json()["data"]
    return data


def test_one_person_in_two_apps_is_one_user_with_two_identities(
    apps_file: Path, tmp_path: Path, cli: Cli
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {"BAI_WECHAT_APPS_FILE": str(apps_file)}
    with serving(data_dir, **env) as (base, _):
        first = login(base, PRIMARY, "two-apps")
        second = login(base, OTHER, "two-apps")  # the sandbox: one unionid, another openid
        pb_id = first["user"]["pb_id"]  # type: ignore[index]
        shown = cli("users", "show", pb_id, cwd=tmp_path, BAI_DATA_DIR=str(data_dir), **env)
        other = next(
            each for each in json.loads(shown.stdout)["identities"] if each["app"] == OTHER
        )
        unlinked = cli(
            *("identities", "unlink", "--app", OTHER, "--openid", other["openid"]),
            cwd=tmp_path,
            BAI_DATA_DIR=str(data_dir),
            **env,
        )
        again = login(base, OTHER, "two-apps")  # the unionid's user, linked anew

    assert (first["status"], second["status"]) == ("register_success", "login_success")
    assert second["user"]["pb_id"] == pb_id  # type: ignore[index]
    assert [each["app"] for each in json.loads(shown.stdout)["identities"]] == sorted(
        [PRIMARY, OTHER]
    )
    assert other["has_unionid"] is True
    assert unlinked.returncode == 0, unlinked.stderr
    assert (again["status"], again["user"]["pb_id"]) == ("login_success", pb_id)  # type: ignore[index]
