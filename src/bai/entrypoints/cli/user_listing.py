"""`bai users list`: accounts a page at a time, as JSON lines, with the cursor of the next page."""

import argparse
import json

from bai.domain.entities import User, UserStatus
from bai.domain.use_cases.list_users import ListUsersCommand, ListUsersResult
from bai.domain.user_query import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageSize,
    UserQuery,
    cursor_id,
    moment_since,
)
from bai.entrypoints.http.presenters import UserPresenter

HAS_PHONE = {"yes": True, "no": False}
DESCRIPTION = (
    "Print accounts as JSON lines (one object a line, the fields of `bai users show` but its"
    " identities, phone masked), oldest registration first (by created, then pb_id), at most"
    " --limit of them. The last line on stderr says how many were shown and, when more follow,"
    " the --after to pass for the next page; pages stay put while users register. Nothing"
    " matching: no line on stdout, exit 0. A malformed option: one line on stderr, exit 2."
)


def add_list_parser(actions: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    listing = actions.add_parser(
        "list", help="print accounts as JSON lines, a page at a time", description=DESCRIPTION
    )
    listing.add_argument(
        "--status", choices=[status.value for status in UserStatus], help="only accounts of it"
    )
    listing.add_argument(
        "--since",
        metavar="DATE",
        help="registered at or after: an ISO date (2026-03-04, midnight UTC) or date and time"
        " (2026-03-04T05:06:07; UTC unless it has an offset)",
    )
    listing.add_argument("--phone", choices=list(HAS_PHONE), help="with a phone, or without one")
    listing.add_argument(
        "--limit",
        metavar="N",
        type=int,
        default=DEFAULT_PAGE_SIZE,
        help=f"users per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})",
    )
    listing.add_argument(
        "--after", metavar="PB_ID", help="start after this user: the cursor the last page printed"
    )


def listing_command(args: argparse.Namespace) -> ListUsersCommand:
    """The options, read and checked by the domain (`InvalidField` naming the option)."""
    query = UserQuery(
        status=UserStatus(args.status) if args.status else None,
        since=moment_since(args.since) if args.since is not None else None,
        has_phone=HAS_PHONE.get(args.phone or ""),
    )
    after = cursor_id(args.after) if args.after is not None else None
    return ListUsersCommand(query=query, page_size=PageSize(args.limit), after=after)


def shown(user: User, present: UserPresenter) -> dict[str, object]:
    """What an operator sees of a user: the API's fields, with `users_phone` masked."""
    info = present(user)
    fields = {field: getattr(info, field) for field in info.__struct_fields__}
    fields["users_phone"] = fields.pop("users_phone_masked")
    return fields


def listed(page: ListUsersResult, present: UserPresenter) -> tuple[str, str]:
    """The JSON lines for stdout, and the summary line for stderr."""
    lines = "\n".join(json.dumps(shown(user, present), ensure_ascii=False) for user in page.users)
    more = f"next: --after {page.next_after}" if page.next_after else "no more"
    return lines, f"# {len(page.users)} shown; {more}"
