"""What operators read before they run anything: `--help` of `bai users`, `bai identities` and
each action, and how a command names the storage it works on; what the identity commands print
and refuse, run on the memory stores (the commands themselves refuse memory://: see
tests/integration/test_identities_cli.py for them on SQLite)."""

import argparse
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.domain.entities import User
from bai.domain.errors import SessionNotFound
from bai.domain.identities import ConflictKind, ConflictState, Identity, IdentityConflict
from bai.entrypoints.cli import accounts, identities, main
from bai.entrypoints.config.database_urls import shown_storage
from bai.entrypoints.container import Container
from tests.support.apps import container_with
from tests.support.builders import a_user
from tests.support.identity_stores import APPS_FILE, OTHER, PRIMARY

# Each action, and what its help must tell: what it does, takes and prints.
PROMISES = {
    "list": ["JSON lines", "--status", "--since", "--phone", "--limit", "--after", "stderr"],
    "show": [
        "PB_ID_OR_OPENID",
        "JSON",
        "masked",
        "identities",
        "has_unionid",
        "sessions",
        "exit 1",
    ],
    "sessions": ["PB_ID", "open sessions", "JSON line", "newest first", "exit 1"],
    "end-session": ["SID", "401", "other sessions stay", "prints", "exit 1"],
    "disable": ["PB_ID", "401", "until enabled", "prints one line"],
    "enable": ["PB_ID", "disabled account back in", "prints one line"],
    "revoke": ["PB_ID", "new token key", "prints one line"],
    "delete": ["PB_ID", "Remove the account", "prints one line"],
}
IDENTITY_PROMISES = {
    "conflicts": ["JSON lines", "--all", "--limit", "other_pb_id", "never printed", "stderr"],
    "link": ["PB_ID", "--app", "--openid", "primary", "unlink it first", "resolved", "exit 1"],
    "unlink": ["--app", "--openid", "the user stays", "unionid", "resolved", "exit 1"],
    "dismiss": ["CONFLICT_ID", "changing no user", "prints one line", "exit 1"],
}
AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


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


def test_bai_help_names_the_identity_commands(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_of(capsys)

    assert " identities " in text
    assert "list identity conflicts" in text


def test_identities_help_lists_every_action_with_what_it_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = help_of(capsys, "identities")

    for action in IDENTITY_PROMISES:
        assert f" {action} " in text
    assert "`bai users show` lists a user's identities" in text
    assert "2 bad options" in text


@pytest.mark.parametrize("action", IDENTITY_PROMISES)
def test_each_identity_action_says_what_it_takes_and_prints(
    capsys: pytest.CaptureFixture[str], action: str
) -> None:
    text = help_of(capsys, "identities", action)

    for promise in IDENTITY_PROMISES[action]:
        assert promise in text, promise


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


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bai")
    commands = parser.add_subparsers(dest="command", required=True)
    accounts.add_users_parser(commands)
    identities.add_identities_parser(commands)
    return parser.parse_args(argv)


@pytest.fixture
def built(tmp_path: Path) -> Container:
    """The container `bai` builds, on memory, with two apps."""
    apps = tmp_path / "apps.toml"
    apps.write_text(APPS_FILE, encoding="utf-8")
    return container_with(
        tmp_path, {"BAI_DATABASE_URL": "memory://", "BAI_WECHAT_APPS_FILE": str(apps)}
    )


def store(built: Container) -> InMemoryIdentityStore:
    identities: InMemoryIdentityStore = built.adapters.identities()
    return identities


async def run(built: Container, *argv: str) -> tuple[int, str, str]:
    return await identities.answer(built.use_cases, parsed("identities", *argv))


async def signed_in(built: Container, app: str = PRIMARY, *, unionid: str = "") -> User:
    """A user who signed in to `app` first."""
    user = replace(a_user(), unionid=unionid)
    user = user if app == PRIMARY else replace(user, openid="")
    openid = user.openid or f"o-{app}-{user.pb_id}"
    identity = Identity(appid=app, openid=openid, pb_id=user.pb_id, unionid=unionid, created=AT)
    return await store(built).register(user, identity)


async def conflict(
    built: Container, user: User, other: User, minutes: int = 0, *, openid: str = ""
) -> IdentityConflict:
    recorded = IdentityConflict(
        kind=ConflictKind.UNIONID_TAKEN,
        appid=OTHER,
        openid=openid or f"o-{OTHER}-{user.pb_id}",
        unionid="u-secret-unionid",
        pb_id=user.pb_id,
        other_pb_id=other.pb_id,
        created=AT + timedelta(minutes=minutes),
    )
    await store(built).add_conflict(recorded)
    return recorded


async def test_show_lists_identities_and_whether_they_have_a_unionid_never_which(
    built: Container,
) -> None:
    user = await signed_in(built, OTHER, unionid="u-secret-unionid")
    await store(built).link(
        Identity(appid=PRIMARY, openid="o-main", pb_id=user.pb_id, created=AT), primary=True
    )

    out, err = await accounts.answer(built.use_cases, parsed("users", "show", user.pb_id), None)

    assert err == ""
    created = "2026-03-04 05:06:07.000Z"
    assert json.loads(out)["identities"] == [  # by app id
        {
            "app": OTHER,
            "openid": f"o-{OTHER}-{user.pb_id}",
            "has_unionid": True,
            "created": created,
        },
        {"app": PRIMARY, "openid": "o-main", "has_unionid": False, "created": created},
    ]
    assert "u-secret-unionid" not in out


async def test_conflicts_are_json_lines_with_both_users_and_a_summary(built: Container) -> None:
    one, two = await signed_in(built, OTHER), await signed_in(built, unionid="u-secret-unionid")
    first = await conflict(built, one, two)
    second = await conflict(built, two, one, minutes=1)
    await store(built).settle_conflict(second.id, ConflictState.DISMISSED)

    status, out, err = await run(built, "conflicts")
    _, every, _ = await run(built, "conflicts", "--all")

    assert status == 0
    assert [json.loads(line) for line in out.splitlines()] == [
        {
            "id": first.id,
            "kind": "unionid_taken",
            "app": OTHER,
            "openid": first.openid,
            "pb_id": one.pb_id,
            "other_pb_id": two.pb_id,
            "created": "2026-03-04 05:06:07.000Z",
            "state": "open",
        }
    ]
    assert err == "# 1 shown; no more"
    assert [json.loads(line)["state"] for line in every.splitlines()] == ["open", "dismissed"]
    assert "u-secret-unionid" not in out + every


async def test_a_page_of_conflicts_says_more_follow(built: Container) -> None:
    one, two = await signed_in(built), await signed_in(built)
    for minutes in range(3):
        await conflict(built, one, two, minutes, openid=f"o-{minutes}")

    status, out, err = await run(built, "conflicts", "--limit", "2")
    refused = await run(built, "conflicts", "--limit", "0")

    assert (status, len(out.splitlines()), err) == (0, 2, "# 2 shown; more follow")
    assert refused == (2, "", "bai identities conflicts: --limit must be from 1 to 1000")


async def test_link_and_unlink_say_what_moved_and_what_they_resolved(built: Container) -> None:
    stray, holder = await signed_in(built, OTHER), await signed_in(built)
    about = await conflict(built, stray, holder)

    unlinked = await run(built, "unlink", "--app", OTHER, "--openid", about.openid)
    linked = await run(built, "link", holder.pb_id, "--app", OTHER, "--openid", about.openid)

    assert unlinked == (
        0,
        f"unlinked app {OTHER} openid {about.openid} from user {stray.pb_id} (1 conflict resolved)",
        "",
    )
    assert linked == (0, f"linked app {OTHER} openid {about.openid} to user {holder.pb_id}", "")
    found = await store(built).find(OTHER, about.openid)
    assert found is not None
    assert found[1].pb_id == holder.pb_id


async def test_refusals_are_one_line_exit_1_and_bad_options_exit_2(built: Container) -> None:
    holder, other = await signed_in(built, OTHER), await signed_in(built, OTHER)
    taken = f"o-{OTHER}-{holder.pb_id}"
    said = "bai identities"

    assert await run(built, "link", other.pb_id, "--app", OTHER, "--openid", taken) == (
        1,
        "",
        f"{said} link: refused: app {OTHER} openid {taken} belongs to user {holder.pb_id}",
    )
    assert await run(built, "link", "nobody000000000", "--app", OTHER, "--openid", "o-x") == (
        1,
        "",
        f"{said} link: no user nobody000000000",
    )
    assert await run(built, "unlink", "--app", OTHER, "--openid", "o-x") == (
        1,
        "",
        f"{said} unlink: refused: no user has app {OTHER} openid o-x",
    )
    assert await run(built, "dismiss", "nosuchconflict0") == (
        1,
        "",
        f"{said} dismiss: no open conflict nosuchconflict0",
    )
    assert await run(built, "link", other.pb_id, "--app", "wxnot", "--openid", "o-x") == (
        2,
        "",
        f"{said} link: --app wxnot is not a configured mini-program",
    )
    status, _, err = await run(built, "link", other.pb_id, "--app", OTHER, "--openid", "o\tx\n")
    assert (status, err.startswith(f"{said} link: --openid ")) == (2, True)


async def test_dismiss_takes_a_conflict_off_the_queue(built: Container) -> None:
    one, two = await signed_in(built), await signed_in(built)
    recorded = await conflict(built, one, two)

    assert await run(built, "dismiss", recorded.id) == (0, f"dismissed conflict {recorded.id}", "")
    assert await store(built).conflicts() == []


def test_the_commands_refuse_memory_storage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BAI_DATABASE_URL", "memory://")
    monkeypatch.setenv("BAI_DATA_DIR", str(tmp_path))

    assert main(["identities", "conflicts"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "bai identities needs BAI_DATABASE_URL: memory:// lives inside the server process"
    )


async def test_sessions_are_shown_listed_and_ended_one_by_one(built: Container) -> None:
    user = await signed_in(built)
    keeping = built.use_cases.keeping()
    first = await keeping.begin(user, app=PRIMARY, user_agent="phone")
    await keeping.begin(user, app=OTHER, user_agent="tablet")
    sid = (built.adapters.tokens().claimed(first) or ("", ""))[1]

    out, _ = await accounts.answer(built.use_cases, parsed("users", "show", user.pb_id), None)
    listed, count = await accounts.answer(
        built.use_cases, parsed("users", "sessions", user.pb_id), None
    )
    ended, _ = await accounts.answer(built.use_cases, parsed("users", "end-session", sid), None)
    after, _ = await accounts.answer(built.use_cases, parsed("users", "sessions", user.pb_id), None)

    assert {s["user_agent"] for s in json.loads(out)["sessions"]} == {"phone", "tablet"}
    assert count == "2 open session(s)"
    assert {json.loads(line)["app"] for line in listed.splitlines()} == {PRIMARY, OTHER}
    assert ended == f"ended session {sid} of user {user.pb_id}"
    assert [json.loads(line)["user_agent"] for line in after.splitlines()] == ["tablet"]


async def test_ending_a_session_that_is_not_open_is_refused(built: Container) -> None:
    user = await signed_in(built)
    token = await built.use_cases.keeping().begin(user, app=PRIMARY, user_agent="phone")
    sid = (built.adapters.tokens().claimed(token) or ("", ""))[1]
    await accounts.answer(built.use_cases, parsed("users", "end-session", sid), None)

    for again in [sid, "s0000000000000x", "not-an-id"]:
        with pytest.raises(SessionNotFound):
            await accounts.answer(built.use_cases, parsed("users", "end-session", again), None)
