"""`bai operators ...` (the people who run BAI: accounts of the console, not WeChat users) and
`bai audit list` (what operators did), on the storage the server uses."""

import argparse
import getpass
import json
import sys
from typing import Any

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.errors import BaiError, InvalidField, OperatorExists, OperatorNotFound
from bai.domain.operators import AuditEntry, Operator, OperatorRole
from bai.domain.user_query import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, recorded_before
from bai.entrypoints.cli.audited import cli_actor
from bai.entrypoints.cli.on_storage import Built, run_on_storage
from bai.entrypoints.cli.storage_failures import STORAGE_FAILURES
from bai.entrypoints.config.settings import Settings

EXITS = "Exit 0 done, 1 refused or storage away, 2 bad options or no storage."
READING_HELP = (
    "The password is read from the terminal without echo, or from the first line of standard"
    " input when it is not a terminal; at least 12 characters."
)


def add_operators_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    operators = commands.add_parser(
        "operators",
        help="add, list or remove the operators of the console; change a password or role",
        description="Operator accounts (the console's sign-in: an email and a password kept as"
        " an Argon2id hash). Roles: admin (every action) and viewer (reads only). Every change"
        f" is recorded in the audit trail as cli:<unix user>. {EXITS}",
    )
    actions = operators.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an operator", description=f"Add one. {READING_HELP}")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", choices=[role.value for role in OperatorRole], default="admin")
    actions.add_parser("list", help="print the operators as JSON lines, by email")
    remove = actions.add_parser("remove", help="remove an operator")
    remove.add_argument("email", metavar="EMAIL")
    passwd = actions.add_parser("passwd", help="change a password", description=READING_HELP)
    passwd.add_argument("email", metavar="EMAIL")
    role = actions.add_parser("role", help="change a role (admin or viewer)")
    role.add_argument("email", metavar="EMAIL")
    role.add_argument("role", choices=[role.value for role in OperatorRole])
    audit = commands.add_parser(
        "audit",
        help="print the audit trail: what operators did",
        description="The audit trail, newest first, as JSON lines: id, at, actor (an operator's"
        " email or cli:<unix user>), action, target, address, detail. Nothing in it can be"
        f" changed. {EXITS}",
    )
    audit_actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = audit_actions.add_parser("list", help="print the newest entries")
    listing.add_argument("--limit", type=int, default=DEFAULT_PAGE_SIZE, metavar="N")
    listing.add_argument("--target", default="", help="only those about this pb_id or email")
    listing.add_argument("--before", nargs=2, metavar=("AT", "ID"), help="keyset paging")


def shown_operator(operator: Operator) -> dict[str, Any]:
    """Never the hash."""
    return {
        "email": operator.email,
        "role": operator.role.value,
        "created": pocketbase_time(operator.created),
        "updated": pocketbase_time(operator.updated),
    }


def shown_entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": pocketbase_time(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "address": entry.address,
        "detail": entry.detail,
    }


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise InvalidField("password", "the two entries differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


async def _operators(use_cases: Built, args: argparse.Namespace) -> tuple[str, str]:
    accounts, actor = use_cases.operator_accounts(), cli_actor()
    if args.action == "list":
        found = await accounts.all()
        lines = [json.dumps(shown_operator(each), ensure_ascii=False) for each in found]
        return "\n".join(lines), f"# {len(lines)} operator(s)"
    if args.action == "add":
        added = await accounts.add(actor, args.email, read_password(), OperatorRole(args.role))
        return f"added operator {added.email} ({added.role.value})", ""
    if args.action == "remove":
        await accounts.remove(actor, args.email)
        return f"removed operator {args.email.strip().lower()}", ""
    if args.action == "passwd":
        await accounts.change_password(actor, args.email, read_password())
        return f"changed the password of operator {args.email.strip().lower()}", ""
    await accounts.change_role(actor, args.email, OperatorRole(args.role))
    return f"operator {args.email.strip().lower()} is now {args.role}", ""


async def _audit(use_cases: Built, args: argparse.Namespace) -> tuple[str, str]:
    if not 1 <= args.limit <= MAX_PAGE_SIZE:
        raise InvalidField("limit", f"must be 1..{MAX_PAGE_SIZE}")
    before = recorded_before(*args.before) if args.before else None
    entries = await use_cases.audit_log().recent(
        limit=args.limit, target=args.target, before=before
    )
    lines = [json.dumps(shown_entry(each), ensure_ascii=False) for each in entries]
    return "\n".join(lines), f"# {len(lines)} shown"


async def _answer(use_cases: Built, args: argparse.Namespace, command: str) -> tuple[int, str, str]:
    act = _operators if args.command == "operators" else _audit
    try:
        out, err = await act(use_cases, args)
    except STORAGE_FAILURES:
        raise
    except InvalidField as exc:
        return 2, "", f"{command}: {exc.field} {exc.reason}"
    except (OperatorExists, OperatorNotFound) as exc:
        said = "exists already" if isinstance(exc, OperatorExists) else "is not an operator"
        return 1, "", f"{command}: {args.email.strip().lower()} {said}"
    except BaiError as exc:
        return 1, "", f"{command}: {type(exc).__name__}"
    return 0, out, err


def run_operator_command(settings: Settings, args: argparse.Namespace) -> int:
    """`bai operators ...` and `bai audit list`: print what the action gives or why it
    failed; the exit status."""
    command = f"bai {args.command} {args.action}"
    return run_on_storage(command, settings, lambda use_cases: _answer(use_cases, args, command))
