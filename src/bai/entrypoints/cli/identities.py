"""`bai identities ...`: operators' commands for users' identities (one per mini-program) and
the conflicts WeChat's unionids raise, on the same storage the server uses."""

import argparse
import json
from typing import Any

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.errors import (
    BaiError,
    ConflictNotFound,
    IdentityRefused,
    InvalidField,
    UnknownApp,
    UserNotFound,
)
from bai.domain.identities import Identity, IdentityConflict
from bai.domain.use_cases.conflict_actions import (
    ListConflictsCommand,
)
from bai.domain.use_cases.identity_actions import (
    LinkIdentityCommand,
    UnlinkIdentityCommand,
)
from bai.domain.user_query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageSize
from bai.entrypoints.cli.audited import audited
from bai.entrypoints.cli.on_storage import Built, run_on_storage
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES
from bai.entrypoints.config.settings import Settings

COMMAND = "bai identities"
EXITS = "Exit 0 done, 1 refused, not found or storage away, 2 bad options or no storage."
MOVED = (
    " Open conflicts about the identity are marked resolved. On success it prints one line; a"
    " refusal is one line on stderr naming the rule and the user in the way, exit 1."
)
CONFLICTS = (
    "Print the identity conflicts waiting for an operator as JSON lines, oldest first: id, kind"
    " (unionid_taken: WeChat gave the identity's user a unionid another user holds;"
    " unionid_changed: one that differs from the user's own), app, openid, pb_id (the user the"
    " person signs in to meanwhile), other_pb_id (the unionid's holder, or null), created,"
    " state. The unionid itself is never printed. At most --limit of them; the last line on"
    " stderr says how many were shown and whether more follow. Nobody merges users: link,"
    " unlink or dismiss each one."
)


def add_identities_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    identities = commands.add_parser(
        "identities",
        help="list identity conflicts; link or unlink a mini-program's identity; dismiss",
        description="Operators' commands for users' identities (one per mini-program: app id"
        " and openid) and the conflicts WeChat's unionids raise, on the storage the server uses"
        " (the same BAI_DATABASE_URL and BAI_WECHAT_APPS_FILE or BAI_WECHAT_APPID). `bai users"
        f" show` lists a user's identities. {EXITS}",
    )
    actions = identities.add_subparsers(dest="action", required=True, metavar="ACTION")
    conflicts = actions.add_parser(
        "conflicts", help="print the open identity conflicts as JSON lines", description=CONFLICTS
    )
    conflicts.add_argument("--all", action="store_true", help="dismissed and resolved ones too")
    conflicts.add_argument(
        "--limit",
        metavar="N",
        type=int,
        default=DEFAULT_PAGE_SIZE,
        help=f"at most N, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})",
    )
    link = actions.add_parser(
        "link",
        help="give a user the identity of a mini-program",
        description="Give the user PB_ID the identity (--app, --openid); --app must be a"
        " configured mini-program, and the primary app's identity becomes the user's openid"
        " too. Refused when another user holds the identity, or the user has one in that app"
        f" already (unlink it first).{MOVED}",
    )
    link.add_argument("user", metavar="PB_ID")
    unlink = actions.add_parser(
        "unlink",
        help="take a mini-program's identity from its user",
        description="Take the identity (--app, --openid) from the user holding it (the primary"
        " app's: the user's openid too); the user stays. The person's next sign-in in that app"
        " goes to the user holding their unionid, else registers a new user. Refused when no"
        f" user holds it.{MOVED}",
    )
    for move in (link, unlink):
        move.add_argument("--app", required=True, metavar="APPID", help="the mini-program")
        move.add_argument("--openid", required=True, help="the person's openid in that app")
    link_conflict = actions.add_parser(
        "link-conflict",
        help="move a conflict's identity to the user holding its unionid",
        description="Move the identity of the open conflict CONFLICT_ID (as `conflicts` prints"
        " it) from the user it signs in to (pb_id) to the user holding its unionid"
        " (other_pb_id), as the console's link does: every rule of `link` is checked before"
        " anything moves, then it is unlinked and linked. A conflict whose unionid nobody else"
        f" holds is refused (dismiss it).{MOVED}",
    )
    link_conflict.add_argument("conflict", metavar="CONFLICT_ID")
    dismiss = actions.add_parser(
        "dismiss",
        help="leave both users of a conflict as they are",
        description="Take the open conflict CONFLICT_ID (as `conflicts` prints it) off the"
        " queue, changing no user; the same situation met again stays dismissed. On success it"
        " prints one line; no open conflict of that id: exit 1.",
    )
    dismiss.add_argument("conflict", metavar="CONFLICT_ID")


def shown_identity(identity: Identity) -> dict[str, Any]:
    """An identity as `bai users show` prints it: whether a unionid is known, never its value."""
    return {
        "app": identity.appid,
        "openid": identity.openid,
        "has_unionid": bool(identity.unionid),
        "created": pocketbase_time(identity.created),
    }


def shown_conflict(conflict: IdentityConflict) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "kind": conflict.kind.value,
        "app": conflict.appid,
        "openid": conflict.openid,
        "pb_id": conflict.pb_id,
        "other_pb_id": conflict.other_pb_id or None,
        "created": pocketbase_time(conflict.created),
        "state": conflict.state.value,
    }


def _resolved(settled: int) -> str:
    return f" ({settled} conflict{'s' if settled != 1 else ''} resolved)" if settled else ""


async def _act(use_cases: Built, args: argparse.Namespace) -> tuple[str, str]:
    """What to print on stdout, and on stderr."""
    if args.action == "conflicts":
        command = ListConflictsCommand(settled_too=args.all, page_size=PageSize(args.limit))
        page = await use_cases.list_conflicts().execute(command)
        lines = (json.dumps(shown_conflict(each), ensure_ascii=False) for each in page.conflicts)
        more = "more follow" if page.more else "no more"
        return "\n".join(lines), f"# {len(page.conflicts)} shown; {more}"
    if args.action == "link":
        linking = LinkIdentityCommand(pb_id=args.user, app=args.app, openid=args.openid)
        linked = await use_cases.link_identity().execute(linking)
        await audited(use_cases, "identities.link", linked.user.pb_id, f"app={args.app}")
        done = f"linked app {args.app} openid {args.openid} to user {linked.user.pb_id}"
        return done + _resolved(linked.settled), ""
    if args.action == "unlink":
        unlinking = UnlinkIdentityCommand(app=args.app, openid=args.openid)
        unlinked = await use_cases.unlink_identity().execute(unlinking)
        pb_id = unlinked.identity.pb_id
        await audited(use_cases, "identities.unlink", pb_id, f"app={args.app}")
        done = f"unlinked app {args.app} openid {args.openid} from user {unlinked.identity.pb_id}"
        return done + _resolved(unlinked.settled), ""
    if args.action == "link-conflict":
        conflict, moved = await use_cases.link_conflict().execute(args.conflict)
        detail = f"app={conflict.appid} from={conflict.pb_id}"
        await audited(use_cases, "identities.link", conflict.other_pb_id, detail)
        done = (
            f"moved app {conflict.appid} openid {conflict.openid} from user {conflict.pb_id}"
            f" to user {conflict.other_pb_id}"
        )
        return done + _resolved(moved.settled), ""
    await use_cases.dismiss_conflict().execute(args.conflict)
    await audited(use_cases, "identities.dismiss", args.conflict)
    return f"dismissed conflict {args.conflict}", ""


def _refusal(exc: BaiError, args: argparse.Namespace) -> tuple[int, str]:
    """The exit status, and the one line saying what was refused: 2 for a bad option, else 1."""
    status, why = 1, type(exc).__name__
    if isinstance(exc, InvalidField):
        status, why = 2, f"--{exc.field} {exc.reason}"
    elif isinstance(exc, UnknownApp) and args.action == "link-conflict":
        why = "its app is not a configured mini-program"
    elif isinstance(exc, UnknownApp):
        status, why = 2, f"--app {args.app} is not a configured mini-program"
    elif isinstance(exc, UserNotFound):
        why = f"no user {getattr(args, 'user', '')}".rstrip()
    elif isinstance(exc, IdentityRefused):
        why = f"refused: {exc.reason}"
    elif isinstance(exc, ConflictNotFound):
        why = f"no open conflict {args.conflict}"
    return status, f"{COMMAND} {args.action}: {why}"


async def answer(use_cases: Built, args: argparse.Namespace) -> tuple[int, str, str]:
    """The exit status, stdout and stderr of the action on `use_cases`."""
    try:
        out, err = await _act(use_cases, args)
    except STORAGE_FAILURES:
        raise
    except BaiError as exc:
        status, line = _refusal(exc, args)
        return status, "", line
    return 0, out, err


def run_identity_command(settings: Settings, args: argparse.Namespace) -> int:
    """Print what the action gives (stdout) or why it failed (stderr); the exit status."""
    return run_on_storage(COMMAND, settings, lambda use_cases: answer(use_cases, args))
