"""`bai wechat ...`: the record of WeChat's push events, and WeChat's daily e-mail of
revocations applied by hand (the backstop of the pushes), on the storage the server uses."""

import argparse
import json
import re
import stat
from pathlib import Path
from typing import Any

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.errors import InvalidField, UnknownApp
from bai.domain.push_events import PushEventRecord
from bai.domain.use_cases.revocation_list import Revocation, RevocationSummary
from bai.domain.user_query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, recorded_before
from bai.domain.values import WECHAT_ID_MAX_LENGTH
from bai.entrypoints.cli.audited import audited
from bai.entrypoints.cli.on_storage import Built, run_on_storage
from bai.entrypoints.config.settings import Settings

COMMAND = "bai wechat"
MAX_LIST_BYTES = 64 * 1024 * 1024
DEFAULT_CODES = "8,6"  # everything BAI keeps: the phone, the name and picture
# An openid (WeChat's are A-Za-z0-9_-), then maybe its codes after spaces or a comma.
LINE = re.compile(
    rf"(?P<openid>[A-Za-z0-9_-]{{1,{WECHAT_ID_MAX_LENGTH}}})"
    r"(?:[ \t]*[ \t,][ \t]*(?P<codes>[0-9]{1,3}(?:[ \t]*,[ \t]*[0-9]{1,3}){0,15}))?"
)
EVENTS = (
    "Print the WeChat push events received, newest first, as JSON lines: id, app, event, sent"
    " (WeChat's time), received, outcome (cleared, nothing_kept, identity_removed,"
    " user_deleted, unknown_openid, ignored), fields (those cleared), revoke_info, pb_id and"
    " openid_hash (a keyed hash: the openid itself is never kept). At most --limit; --before"
    " takes the last line's `received id` to go on."
)
REVOKE = (
    "Apply WeChat's daily e-mail of revocations: FILE has one openid of --appid per line,"
    " optionally followed by the RevokeInfo codes withdrawn (8 phone, 6 name and picture, 19"
    " name, 20 picture; default 8,6). Without --apply nothing is written: it prints what would"
    " be cleared. With --apply each line is applied and recorded as a pushed"
    " user_authorization_revoke would be."
)


class ListRefused(ValueError):
    """A line of the list is not an openid with codes (the message says which)."""


def add_wechat_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    wechat = commands.add_parser(
        "wechat",
        help="the record of WeChat's push events; apply WeChat's e-mail of revocations",
        description="WeChat's push events (README, WeChat push events) on the storage the"
        " server uses. Exit 0 done, 1 storage away, 2 bad options, an unknown app or no"
        " storage.",
    )
    actions = wechat.add_subparsers(dest="action", required=True, metavar="ACTION")
    events = actions.add_parser("events", help="list the push events received", description=EVENTS)
    events.add_argument("--limit", type=int, default=DEFAULT_PAGE_SIZE, metavar="N")
    events.add_argument("--user", default="", metavar="PB_ID", help="only this user's")
    events.add_argument("--before", nargs=2, metavar=("RECEIVED", "ID"), help="keyset paging")
    revoke = actions.add_parser(
        "revoke", help="apply WeChat's daily e-mail of revocations", description=REVOKE
    )
    revoke.add_argument("--appid", required=True, metavar="APPID")
    revoke.add_argument("--openids", required=True, metavar="FILE", type=Path)
    revoke.add_argument("--apply", action="store_true", help="write (default: a dry run)")


def shown_event(record: PushEventRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "app": record.appid,
        "event": record.event,
        "sent": pocketbase_time(record.sent),
        "received": pocketbase_time(record.received),
        "outcome": record.outcome.value,
        "fields": record.fields.split(",") if record.fields else [],
        "revoke_info": record.revoke_info,
        "pb_id": record.pb_id or None,
        "openid_hash": record.openid_hash,
    }


def revocations_in(text: str) -> list[Revocation]:
    """The list's lines: an openid, then maybe its codes (`OPENID 8,6`, or `OPENID,8` as a
    spreadsheet saves it); blank lines and `#` comments are skipped; an openid listed twice is
    one revocation of all its codes."""
    codes_of: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        found = LINE.fullmatch(entry)
        if found is None:
            raise ListRefused(f"line {number} is not an openid and its codes (e.g. o-abc 8,6)")
        openid, codes = found["openid"], found["codes"] or DEFAULT_CODES
        listed = codes_of.setdefault(openid, [])
        listed += [code.strip() for code in codes.split(",") if code.strip() not in listed]
    return [Revocation(openid, ",".join(codes)) for openid, codes in codes_of.items()]


def _summary(summary: RevocationSummary, *, applied: bool) -> str:
    done = "cleared" if applied else "would clear"
    cleared = ", ".join(f"{field} of {n}" for field, n in sorted(summary.fields.items()))
    return (
        f"{summary.users} users named, {summary.unknown} openids unknown; {done}:"
        f" {cleared or 'nothing'}" + ("" if applied else " (dry run: --apply to write)")
    )


async def _events(use_cases: Built, args: argparse.Namespace) -> tuple[int, str, str]:
    if not 1 <= args.limit <= MAX_PAGE_SIZE:
        return 2, "", f"{COMMAND} events: --limit must be 1..{MAX_PAGE_SIZE}"
    try:
        before = recorded_before(*args.before) if args.before else None
    except InvalidField:
        return 2, "", f"{COMMAND} events: --before takes a received time and an id"
    records = await use_cases.list_push_events().execute(
        limit=args.limit, pb_id=args.user, before=before
    )
    lines = (json.dumps(shown_event(each), ensure_ascii=False) for each in records)
    return 0, "\n".join(lines), f"# {len(records)} shown"


def _listed(path: Path) -> list[Revocation]:
    try:
        found = path.stat()
        if not stat.S_ISREG(found.st_mode):
            raise ListRefused(f"{path} is not a regular file")
        if found.st_size > MAX_LIST_BYTES:
            raise ListRefused(f"{path} is over {MAX_LIST_BYTES} bytes")
        return revocations_in(path.read_text(encoding="utf-8-sig"))  # a BOM is not text
    except (OSError, UnicodeDecodeError) as exc:
        raise ListRefused(f"{path} cannot be read: {type(exc).__name__}") from None


async def _revoke(use_cases: Built, args: argparse.Namespace) -> tuple[int, str, str]:
    try:
        listed = _listed(args.openids)
        summary = await use_cases.revoke_from_list().execute(args.appid, listed, apply=args.apply)
    except ListRefused as exc:
        return 2, "", f"{COMMAND} revoke: {exc}"
    except UnknownApp:
        return 2, "", f"{COMMAND} revoke: --appid {args.appid} is not a configured mini-program"
    if args.apply:
        await audited(use_cases, "wechat.revoke", args.appid, f"users={summary.users}")
    return 0, _summary(summary, applied=args.apply), ""


def run_wechat_command(settings: Settings, args: argparse.Namespace) -> int:
    """Print what the action gives (stdout) or why it failed (stderr); the exit status."""
    act = _events if args.action == "events" else _revoke
    return run_on_storage(COMMAND, settings, lambda use_cases: act(use_cases, args))
