"""`bai users ...`: operators' account commands, on the same storage the server uses."""

import argparse
import asyncio
import json

from dependency_injector import providers

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.errors import BaiError, InvalidField, SessionNotFound, UserNotFound
from bai.domain.sessions import Session
from bai.domain.use_cases.list_users import ListUsersCommand
from bai.entrypoints.account_actions import account_actions
from bai.entrypoints.cli.answers import printed
from bai.entrypoints.cli.audited import audited
from bai.entrypoints.cli.identities import shown_identity
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES, storage_failure
from bai.entrypoints.cli.user_listing import add_list_parser, listed, listing_command, shown
from bai.entrypoints.closing import closed, opened
from bai.entrypoints.config.settings import Settings
from bai.entrypoints.http.presenters import UserPresenter
from bai.entrypoints.use_cases import UseCases
from bai.entrypoints.wiring import container_for, storage_of

Built = providers.Container[UseCases]
# Each change (`account_actions`'s): what is printed when done, and its help.
USE_CASES: dict[str, tuple[str, str]] = {
    "disable": (
        "disabled",
        "refuse the account everywhere (401, login included) until enabled, and end its sessions",
    ),
    "enable": (
        "enabled",
        "let a disabled account back in (it signs in anew: disabling ended its sessions)",
    ),
    "revoke": (
        "revoked every token of",
        "give the account a new token key and end its sessions: every token issued before gets 401",
    ),
    "delete": (
        "deleted",
        "remove the account; its tokens get 401 and its openid may register again",
    ),
}
DONE = "On success it prints one line, '{done} user PB_ID'; an unknown PB_ID exits 1."


def add_users_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    users = commands.add_parser(
        "users",
        help="list, show, disable, enable, revoke or delete accounts",
        description="Operators' account commands, on the storage the server uses (the same"
        " BAI_DATABASE_URL, or BAI_DATA_DIR for SQLite); each takes effect from the server's"
        " next request. The storage used is named on stderr first. `bai users ACTION --help`"
        " says more. Exit 0 done, 1 not found or storage away, 2 bad options or no storage.",
    )
    actions = users.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_list_parser(actions)
    show = actions.add_parser(
        "show",
        help="print one account as JSON (phone masked, no token key), with its identities",
        description="Print the account with this pb_id (or, failing that, primary-app openid)"
        " as indented JSON: the fields the API returns, users_phone masked, never the token key"
        " or unionid; and `identities`, one per mini-program: app, openid, has_unionid (whether"
        " WeChat gave one: the unionid itself is never printed), created; and `sessions`, the"
        " open ones, newest first. Nobody: exit 1.",
    )
    show.add_argument("user", metavar="PB_ID_OR_OPENID")
    sessions = actions.add_parser(
        "sessions",
        help="print a user's open sessions, one JSON line each, newest first",
        description="Print the open sessions of the user PB_ID (id, app, created, renewed,"
        " user_agent), one JSON line each, newest first. Nobody: exit 1.",
    )
    sessions.add_argument("user", metavar="PB_ID")
    end = actions.add_parser(
        "end-session",
        help="end one session: its tokens get 401 from the next request",
        description="End the open session SID (from `bai users sessions`): the tokens of that"
        " device get 401 from the server's next request; the user's other sessions stay. On"
        " success it prints 'ended session SID of user PB_ID'; no such open session: exit 1.",
    )
    end.add_argument("user", metavar="SID")
    for action, (done, does) in USE_CASES.items():
        change = actions.add_parser(
            action, help=does, description=f"{does[0].upper()}{does[1:]}. {DONE.format(done=done)}"
        )
        change.add_argument("user", metavar="PB_ID")


async def answer(
    use_cases: Built, args: argparse.Namespace, command: ListUsersCommand | None
) -> tuple[str, str]:
    """What to print on stdout, and on stderr."""
    present = UserPresenter()
    if command is not None:
        return listed(await use_cases.list_users().execute(command), present)
    if args.action == "show":
        user = await use_cases.find_user().execute(args.user)
        identities = await use_cases.show_identities().execute(user.pb_id)
        sessions = await use_cases.show_sessions().execute(user.pb_id)
        fields = shown(user, present) | {
            "identities": [shown_identity(i) for i in identities],
            "sessions": [shown_session(s) for s in sessions],
        }
        return json.dumps(fields, ensure_ascii=False, indent=2), ""
    if args.action == "sessions":
        sessions = await use_cases.show_sessions().execute(args.user)
        lines = [json.dumps(shown_session(s), ensure_ascii=False) for s in sessions]
        return "\n".join(lines), f"{len(lines)} open session(s)"
    if args.action == "end-session":
        ended = await use_cases.end_session().execute(args.user)
        await audited(use_cases, "users.end-session", ended.pb_id, f"session={ended.id}")
        return f"ended session {ended.id} of user {ended.pb_id}", ""
    done, _ = USE_CASES[args.action]
    await account_actions(use_cases)[args.action].execute(args.user)
    await audited(use_cases, f"users.{args.action}", args.user)
    return f"{done} user {args.user}", ""


async def _run(
    settings: Settings, args: argparse.Namespace, command: ListUsersCommand | None
) -> tuple[str, str]:
    container = container_for(settings)
    await opened(container)
    try:
        return await answer(container.use_cases, args, command)
    finally:
        await closed(container)


def run_account_command(settings: Settings, args: argparse.Namespace) -> int:
    """Print what the action gives (stdout) or why it failed (stderr); the exit status. A
    malformed option is refused before the storage is asked."""
    try:
        command = listing_command(args) if args.action == "list" else None
        if (refused := storage_of(settings).outside_the_server("bai users")) is not None:
            return printed("", refused, 2)
        out, err = asyncio.run(_run(settings, args, command))
    except InvalidField as exc:
        return printed("", f"bai users {args.action}: --{exc.field} {exc.reason}", 2)
    except STORAGE_FAILURES as exc:
        status, line = storage_failure("bai users", settings, exc)
        return printed("", line, status)
    except (UserNotFound, SessionNotFound) as exc:
        what = "user" if isinstance(exc, UserNotFound) else "open session"
        return printed("", f"bai users {args.action}: no {what} {args.user}", 1)
    except BaiError as exc:
        return printed("", f"{type(exc).__name__}: {args.user}", 1)
    return printed(out, err, 0)


def shown_session(session: Session) -> dict[str, object]:
    return {
        "id": session.id,
        "app": session.app,
        "created": pocketbase_time(session.created),
        "renewed": pocketbase_time(session.renewed),
        "user_agent": session.user_agent,
    }
