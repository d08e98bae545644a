"""`ListUsers` on the in-memory repository: pages in registration order, and their cursors."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.entities import User, UserStatus
from bai.domain.errors import InvalidField
from bai.domain.use_cases.list_users import ListUsers, ListUsersCommand
from bai.domain.user_query import PageSize, UserQuery, listing_order
from tests.support.builders import a_user

START = datetime(2026, 1, 1, tzinfo=UTC)


async def stored(users: InMemoryUserRepository, *crowd: User) -> list[User]:
    for user in crowd:
        await users.add_if_absent(user)
    return sorted(crowd, key=listing_order)


def at(day: int, **fields: object) -> User:
    moment = START + timedelta(days=day)
    return replace(a_user(), created=moment, updated=moment, **fields)  # type: ignore[arg-type]


def listing(size: int, after: str | None = None, **query: object) -> ListUsersCommand:
    return ListUsersCommand(query=UserQuery(**query), page_size=PageSize(size), after=after)  # type: ignore[arg-type]


async def test_a_page_names_the_user_to_start_the_next_one_after(
    users: InMemoryUserRepository,
) -> None:
    crowd = await stored(users, *(at(day) for day in (3, 1, 2, 0, 4)))
    list_users = ListUsers(users=users)

    first = await list_users.execute(listing(2))
    second = await list_users.execute(listing(2, first.next_after))
    last = await list_users.execute(listing(2, second.next_after))

    assert [first.users, second.users, last.users] == [
        tuple(crowd[:2]),
        tuple(crowd[2:4]),
        tuple(crowd[4:]),
    ]
    assert (first.next_after, second.next_after) == (crowd[1].pb_id, crowd[3].pb_id)
    assert last.next_after is None


async def test_a_full_last_page_says_no_more_follow(users: InMemoryUserRepository) -> None:
    await stored(users, at(0), at(1))

    page = await ListUsers(users=users).execute(listing(2))

    assert len(page.users) == 2
    assert page.next_after is None


async def test_nobody_is_an_empty_last_page(users: InMemoryUserRepository) -> None:
    await stored(users, at(0, users_status=UserStatus.ACTIVE))

    page = await ListUsers(users=users).execute(listing(50, status=UserStatus.DISABLED))

    assert page.users == ()
    assert page.next_after is None


async def test_users_registered_meanwhile_do_not_shift_the_next_page(
    users: InMemoryUserRepository,
) -> None:
    crowd = await stored(users, at(1), at(2), at(3))
    list_users = ListUsers(users=users)
    first = await list_users.execute(listing(1))

    earlier, later = at(0), at(5)
    await stored(users, earlier, later)
    rest = await list_users.execute(listing(50, first.next_after))

    assert rest.users == (crowd[1], crowd[2], later)


async def test_a_cursor_naming_nobody_is_refused(users: InMemoryUserRepository) -> None:
    gone = (await stored(users, at(0)))[0]
    await users.delete(gone.pb_id)

    with pytest.raises(InvalidField) as refused:
        await ListUsers(users=users).execute(listing(5, gone.pb_id))

    assert refused.value.field == "after"


crowds = st.lists(
    st.builds(
        at,
        day=st.integers(0, 5),
        users_status=st.sampled_from(UserStatus),
        users_phone=st.sampled_from(["", "13800138000", "+85291234567"]),
    ),
    max_size=20,
    unique_by=lambda user: user.users_phone or user.pb_id,
)
queries = st.builds(
    UserQuery,
    status=st.none() | st.sampled_from(UserStatus),
    since=st.none() | st.integers(0, 6).map(lambda day: START + timedelta(days=day)),
    has_phone=st.none() | st.booleans(),
)


@given(crowd=crowds, query=queries, size=st.integers(1, 7))
async def test_paging_to_the_end_lists_each_match_once_in_order(
    crowd: list[User], query: UserQuery, size: int
) -> None:
    users = InMemoryUserRepository()
    everyone = await stored(users, *crowd)
    list_users = ListUsers(users=users)
    seen: list[User] = []
    after = None

    while True:
        page = await list_users.execute(
            ListUsersCommand(query=query, page_size=PageSize(size), after=after)
        )
        seen += page.users
        if (after := page.next_after) is None:
            break

    assert seen == [user for user in everyone if query.matches(user)]
