"""An operator's search of the users (SPEC "The operator console") and the registrations per
day, on every backend: the users `UserQuery.matches` (the domain's rule) finds, by pb_id,
phone, name and app with the listing's own filters and keyset order; names searched as text,
whatever LIKE or PocketBase's filter syntax would make of it."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.adapters.storage import Storage
from bai.domain.entities import User, UserStatus
from bai.domain.identities import Identity
from bai.domain.user_query import MAX_NAME_SEARCH, Position, UserQuery, listing_order
from tests.support.builders import a_user
from tests.support.identity_stores import OTHER, PRIMARY, backend, backend_url

__all__ = ["backend", "backend_url"]
FIRST = datetime(2026, 1, 10, 8, 0, 0, 125000, tzinfo=UTC)
EVERYONE = 100
# Names that LIKE, PocketBase's filter syntax or a case fold could take for something else.
NAMES = [
    "Zhang San",
    "zhang_san",
    "100% 真",
    "O'Brien",
    'say "hi"',
    "back\\slash",
    "a ~ b || c && d != e",
    "{:name} ?= x",
    "Émile",
    "émile",
    "小明",
    "",
    "%_\\",
    "x' OR 1=1 --",
    "ZHANGSAN",
    "İstanbul",
]
TRICKY = "%_\\'\"~|&!=?{}:()*/- aAzZéÉİı小明ß"


def identity(user: User, appid: str) -> Identity:
    return Identity(appid=appid, openid=f"o-{appid}-{user.pb_id}", pb_id=user.pb_id, created=FIRST)


async def a_crowd(backend: Storage) -> tuple[list[User], dict[str, set[str]]]:
    """A user per name, registered a day apart two by two (the order then goes by pb_id), of
    both statuses, every other with a phone; in the primary app, the other one, both or none.
    In the listing order, with the apps each holds an identity in."""
    crowd: list[User] = []
    apps: dict[str, set[str]] = {}
    for n, name in enumerate(NAMES):
        user = replace(
            a_user(),
            created=FIRST + timedelta(days=n // 2),
            updated=FIRST,
            users_name=name,
            users_status=UserStatus.DISABLED if n % 3 == 0 else UserStatus.ACTIVE,
            users_phone=f"138001380{n:02d}" if n % 2 else "",
        )
        held = [[PRIMARY], [OTHER], [PRIMARY, OTHER], []][n % 4]
        if held:
            await backend.identities.register(user, identity(user, held[0]))
        else:
            await backend.users.add_if_absent(user)
        for appid in held[1:]:
            await backend.identities.link(identity(user, appid), primary=False)
        crowd.append(user)
        apps[user.pb_id] = set(held)
    return sorted(crowd, key=listing_order), apps


async def listed_and_matched(
    backend: Storage, crowd: list[User], apps: dict[str, set[str]], query: UserQuery
) -> tuple[list[User], list[User]]:
    listed = await backend.users.list_users(query, limit=EVERYONE)
    return listed, [user for user in crowd if query.matches(user, apps=apps[user.pb_id])]


SEARCHES = {
    "pb_id, nobody": UserQuery(pb_id="nobody000000000"),
    "phone": UserQuery(phone="13800138003"),
    "phone, part of one": UserQuery(phone="138001380"),
    "name, any case": UserQuery(name="zhang"),
    "name, an underscore": UserQuery(name="_"),
    "name, a percent sign": UserQuery(name="%"),
    "name, a backslash": UserQuery(name="\\"),
    "name, a quote": UserQuery(name="'"),
    "name, a double quote": UserQuery(name='"'),
    "name, filter operators": UserQuery(name="|| c &&"),
    "name, a placeholder": UserQuery(name="{:name}"),
    "name, é is not É": UserQuery(name="é"),
    "name, unicode": UserQuery(name="小"),
    "app, primary": UserQuery(app=PRIMARY),
    "app, other": UserQuery(app=OTHER),
    "app, unknown": UserQuery(app="wxnobody"),
    "all at once": UserQuery(status=UserStatus.ACTIVE, has_phone=True, app=OTHER, name="a"),
    "after, with an app": UserQuery(app=PRIMARY, after=Position(FIRST + timedelta(days=2), "0")),
}


@pytest.mark.parametrize("query", SEARCHES.values(), ids=SEARCHES.keys())
async def test_a_search_lists_exactly_the_users_it_matches(
    backend: Storage, query: UserQuery
) -> None:
    crowd, apps = await a_crowd(backend)

    listed, matched = await listed_and_matched(backend, crowd, apps, query)

    assert listed == matched


async def test_a_user_is_found_by_pb_id_and_by_the_full_phone(backend: Storage) -> None:
    crowd, _ = await a_crowd(backend)
    someone = next(user for user in crowd if user.users_phone)

    by_id = await backend.users.list_users(UserQuery(pb_id=someone.pb_id), limit=EVERYONE)
    by_phone = await backend.users.list_users(UserQuery(phone=someone.users_phone), limit=1)

    assert by_id == by_phone == [someone]


async def test_search_pages_follow_each_other(backend: Storage) -> None:
    crowd, apps = await a_crowd(backend)
    query = UserQuery(name="A")
    pages: list[list[User]] = []

    while page := await backend.users.list_users(query, limit=2):
        pages.append(page)
        query = replace(query, after=Position.after(page[-1]))

    _, matched = await listed_and_matched(backend, crowd, apps, UserQuery(name="A"))
    assert [user for page in pages for user in page] == matched
    assert len(pages) == (len(matched) + 1) // 2


searched_names = st.one_of(
    st.text(st.sampled_from(TRICKY), min_size=1, max_size=MAX_NAME_SEARCH),
    st.sampled_from([name for name in NAMES if name]).flatmap(
        lambda name: st.integers(0, len(name) - 1).flatmap(
            lambda start: st.integers(start + 1, len(name)).map(lambda end: name[start:end])
        )
    ),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=MAX_NAME_SEARCH),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(name=searched_names)
async def test_any_name_search_lists_what_the_domain_matches(backend: Storage, name: str) -> None:
    if not await backend.users.count():  # one crowd for every example on this backend
        await a_crowd(backend)
    crowd = sorted(await backend.users.list_users(UserQuery(), limit=EVERYONE), key=listing_order)

    listed = await backend.users.list_users(UserQuery(name=name), limit=EVERYONE)

    assert listed == [user for user in crowd if UserQuery(name=name).matches(user)]


DAY = datetime(2026, 3, 1, tzinfo=UTC)
REGISTERED = [
    DAY - timedelta(milliseconds=1),  # the day before: outside
    DAY,
    DAY + timedelta(hours=23, minutes=59, seconds=59, milliseconds=999),
    DAY + timedelta(days=2, hours=12),
    DAY + timedelta(days=2, hours=13),
    DAY + timedelta(days=2, hours=14),
    DAY + timedelta(days=3),  # `until`: outside
]


async def registered_at(backend: Storage, moments: list[datetime]) -> None:
    for at in moments:
        await backend.users.add_if_absent(replace(a_user(), created=at, updated=at))


async def test_registrations_are_counted_per_utc_day_with_registrations(
    backend: Storage,
) -> None:
    await registered_at(backend, REGISTERED)

    days = await backend.users.registrations_per_day(since=DAY, until=DAY + timedelta(days=3))

    assert days == [(date(2026, 3, 1), 2), (date(2026, 3, 3), 3)]


async def test_a_registration_between_milliseconds_of_a_bound_counts_as_the_domain_says(
    backend: Storage,
) -> None:
    await registered_at(backend, REGISTERED)
    just_after = DAY + timedelta(microseconds=1)

    days = await backend.users.registrations_per_day(
        since=just_after, until=DAY + timedelta(days=2, hours=13, microseconds=1)
    )

    assert days == [(date(2026, 3, 1), 1), (date(2026, 3, 3), 2)]


async def test_no_registrations_are_no_days(backend: Storage) -> None:
    await registered_at(backend, REGISTERED)

    assert await backend.users.registrations_per_day(since=DAY, until=DAY) == []
    assert (
        await backend.users.registrations_per_day(
            since=DAY + timedelta(days=10), until=DAY + timedelta(days=40)
        )
        == []
    )
