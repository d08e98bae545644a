from dataclasses import dataclass, replace

from bai.domain.entities import User
from bai.domain.errors import InvalidField
from bai.domain.user_query import PageSize, Position, UserQuery
from bai.ports.user_repository import UserRepository


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsersCommand:
    query: UserQuery
    page_size: PageSize
    after: str | None = None  # the pb_id that ended the previous page


@dataclass(frozen=True, slots=True)
class ListUsersResult:
    users: tuple[User, ...]
    next_after: str | None  # None: this was the last page


class ListUsers:
    """One page of users, for operators, in the order they registered.

    - Users that the query matches, by `created` then `pb_id`, at most a page of them.
    - `after` names the user that ended the previous page; the page starts right after it,
      wherever users registered or were deleted meanwhile. A user that is not there (deleted
      since, or mistyped) is `InvalidField` on `after`: nobody can tell where it stood.
    - `next_after` is the last user's pb_id when more users follow, None on the last page (an
      empty result is a last page).
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self, command: ListUsersCommand) -> ListUsersResult:
        query = command.query
        if command.after is not None:
            cursor = await self._users.get(command.after)
            if cursor is None:
                raise InvalidField("after", "names no user (deleted since?)")
            query = replace(query, after=Position.after(cursor))
        size = command.page_size.value
        found = await self._users.list_users(query, limit=size + 1)
        page = tuple(found[:size])
        more = len(found) > size
        return ListUsersResult(page, page[-1].pb_id if more else None)
