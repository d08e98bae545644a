"""The console's users page: an operator's search (the CLI's `ListUsers`), a page at a time,
each phone masked."""

from typing import Any, Final
from urllib.parse import urlencode

from bai.domain.entities import User, UserStatus
from bai.domain.errors import InvalidField
from bai.domain.use_cases.list_users import ListUsers, ListUsersCommand
from bai.domain.user_query import PageSize, UserQuery, cursor_id
from bai.domain.values import masked_phone

from .site import shown_time

SEARCHED: Final = ("pb_id", "phone", "name", "status", "app", "after")
PAGE: Final = 20


def _search(asked: dict[str, str]) -> ListUsersCommand:
    """The users' search a page asks for (`InvalidField` when a value cannot be searched): an
    empty field searches nothing."""
    given = {name: value.strip() or None for name, value in asked.items()}
    status = given["status"]
    if status is not None and status not in {each.value for each in UserStatus}:
        raise InvalidField("status", "must be active or disabled")
    query = UserQuery(
        status=UserStatus(status) if status else None,
        pb_id=given["pb_id"],
        phone=given["phone"],
        name=given["name"],
        app=given["app"],
    )
    after = cursor_id(given["after"]) if given["after"] else None
    return ListUsersCommand(query=query, page_size=PageSize(PAGE), after=after)


def _row(user: User) -> dict[str, str]:
    """A user as the list shows them: the phone masked."""
    return {
        "pb_id": user.pb_id,
        "phone": masked_phone(user.users_phone),
        "name": user.users_name,
        "status": user.users_status.value,
        "created": shown_time(user.created),
    }


def search_form(apps: tuple[str, ...], params: Any) -> dict[str, Any]:
    """The users' search as its query string asks it, for the form shown again."""
    return {
        "asked": {name: str(params.get(name, ""))[:64] for name in SEARCHED},
        "statuses": [each.value for each in UserStatus],
        "apps": apps,
        "users": [],
        "next_page": "",
        "refusal": "",
    }


async def users_page(list_users: ListUsers, apps: tuple[str, ...], params: Any) -> dict[str, Any]:
    """What the users' page shows for its query string: the search asked, a page of users, the
    link to the next page; `InvalidField` when the search cannot be made."""
    shown = search_form(apps, params)
    asked = shown["asked"]
    found = await list_users.execute(_search(asked))
    shown["users"] = [_row(user) for user in found.users]
    if found.next_after is not None:
        kept = {name: value for name, value in asked.items() if value and name != "after"}
        # This page again, from the next position (a query alone keeps the page's path).
        shown["next_page"] = "?" + urlencode({**kept, "after": found.next_after})
    return shown
