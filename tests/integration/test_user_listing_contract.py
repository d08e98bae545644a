"""`UserRepository.list_users` on every store: the users `UserQuery.matches` (the domain's
rule), in the listing order, a page at a time. The rest of the contract:
`test_user_repository_contract.py`."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bai.domain.entities import User, UserStatus
from bai.domain.user_query import Position, UserQuery, listing_order
from bai.ports.user_repository import UserRepository
from tests.support.builders import ACME, a_user
from tests.support.repositories import MakeRepository, make_repository, storage, users

__all__ = ["make_repository", "storage", "users"]
FIRST = datetime(2026, 1, 10, 8, 0, 0, 125000, tzinfo=UTC)
EVERYONE = 100


def registered(at: datetime, **fields: object) -> User:
    return replace(a_user(), created=at, updated=at, **fields)  # type: ignore[arg-type]


async def a_crowd(users: UserRepository) -> list[User]:
    """Eight users over four moments, two at each (the order then goes by pb_id), added out of
    order, of both statuses, with and without a phone; in the listing order."""
    crowd = [
        registered(
            FIRST + timedelta(days=n // 2),
            users_status=UserStatus.DISABLED if n % 3 == 0 else UserStatus.ACTIVE,
            users_phone=f"1380013800{n}" if n % 2 else "",
        )
        for n in range(8)
    ]
    for user in reversed(crowd):
        await users.add_if_absent(user)
    return sorted(crowd, key=listing_order)


async def test_users_are_listed_in_the_order_they_registered_then_by_id(
    users: UserRepository,
) -> None:
    crowd = await a_crowd(users)

    listed = await users.list_users(UserQuery(), limit=EVERYONE)

    assert listed == crowd


QUERIES = {
    "active": UserQuery(status=UserStatus.ACTIVE),
    "disabled": UserQuery(status=UserStatus.DISABLED),
    "since, inclusive": UserQuery(since=FIRST + timedelta(days=2)),
    "since, between": UserQuery(since=FIRST + timedelta(days=1, microseconds=1)),
    "with a phone": UserQuery(has_phone=True),
    "without a phone": UserQuery(has_phone=False),
    "all at once": UserQuery(status=UserStatus.ACTIVE, since=FIRST, has_phone=True),
    "after a tie": UserQuery(after=Position(FIRST + timedelta(days=1), "0" * 15)),
    "nobody": UserQuery(since=FIRST + timedelta(days=30)),
}


@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
async def test_a_query_lists_exactly_the_users_it_matches(
    users: UserRepository, query: UserQuery
) -> None:
    crowd = await a_crowd(users)

    listed = await users.list_users(query, limit=EVERYONE)

    assert listed == [user for user in crowd if query.matches(user)]


async def test_pages_follow_each_other_from_the_position_of_the_last_user(
    users: UserRepository,
) -> None:
    crowd = await a_crowd(users)
    pages: list[list[User]] = []
    query = UserQuery()

    while page := await users.list_users(query, limit=3):
        pages.append(page)
        query = replace(query, after=Position.after(page[-1]))

    assert [len(page) for page in pages] == [3, 3, 2]
    assert [user for page in pages for user in page] == crowd


async def test_listed_users_carry_their_company(make_repository: MakeRepository) -> None:
    users = await make_repository(with_companies=(ACME,))
    member = registered(FIRST, company_id=ACME.company_id)
    await users.add_if_absent(member)

    (listed,) = await users.list_users(UserQuery(), limit=1)

    assert listed.company == ACME


async def test_an_empty_store_lists_nobody(users: UserRepository) -> None:
    assert await users.list_users(UserQuery(status=UserStatus.ACTIVE), limit=EVERYONE) == []
