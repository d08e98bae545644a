"""The console's reads on the in-memory stores: the overview's figures (30 days of
registrations, every day named; sign-ins since 00:00 UTC; open conflicts counted) and a user's
record (identities, open sessions, last sign-ins ended or not, the events about them)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.push_event_store import InMemoryPushEventStore
from bai.adapters.memory.session_store import InMemorySessionStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.errors import UserNotFound
from bai.domain.identities import ConflictKind, IdentityConflict
from bai.domain.push_events import PushEventRecord, PushOutcome
from bai.domain.sessions import Session, SessionPolicy
from bai.domain.use_cases.console_reads import CONFLICTS_COUNTED, ShowOverview, ShowUserRecord
from tests.support.builders import a_user
from tests.support.fakes import FixedClock

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


@pytest.fixture
def now_clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def overview(
    users: InMemoryUserRepository,
    sessions: InMemorySessionStore,
    identities: InMemoryIdentityStore,
    events: InMemoryPushEventStore,
    now_clock: FixedClock,
) -> ShowOverview:
    return ShowOverview(
        users=users, sessions=sessions, identities=identities, events=events, clock=now_clock
    )


def a_session(pb_id: str, at: datetime, n: int) -> Session:
    return Session(id=f"s{n:014d}", pb_id=pb_id, app="wx-app", created=at, renewed=at)


async def test_the_overview_names_thirty_days_and_counts_todays_sign_ins(
    users: InMemoryUserRepository, sessions: InMemorySessionStore, overview: ShowOverview
) -> None:
    born = [NOW, NOW - timedelta(hours=10), NOW - timedelta(days=29), NOW - timedelta(days=30)]
    people = [replace(a_user(), created=at, updated=at) for at in born]
    for person in people:
        await users.add_if_absent(person)
    await sessions.start(a_session(people[0].pb_id, NOW - timedelta(hours=9), 1), limit=10)
    await sessions.start(a_session(people[0].pb_id, NOW - timedelta(hours=10), 2), limit=10)

    figures = await overview.execute()

    days = [day for day, _ in figures.registrations]
    assert len(days) == 30
    assert (days[0], days[-1]) == ((NOW - timedelta(days=29)).date(), NOW.date())
    assert dict(figures.registrations)[NOW.date()] == 1  # 00:00-09:30 UTC
    assert (
        dict(figures.registrations)[(NOW - timedelta(days=1)).date()] == 1
    )  # 23:30 the day before
    assert sum(count for _, count in figures.registrations) == 3  # the 31st day back is out
    assert figures.users == 4
    assert figures.sign_ins_today == 1


async def test_open_conflicts_are_counted_up_to_a_bound(
    identities: InMemoryIdentityStore, overview: ShowOverview
) -> None:
    for n in range(CONFLICTS_COUNTED + 1):
        await identities.add_conflict(
            IdentityConflict(
                kind=ConflictKind.UNIONID_CHANGED,
                appid="wx-app",
                openid=f"o-{n}",
                unionid="u",
                pb_id="p",
                other_pb_id="",
                created=NOW,
            )
        )

    figures = await overview.execute()

    assert (figures.open_conflicts, figures.more_conflicts) == (CONFLICTS_COUNTED, True)


async def test_a_users_record_holds_their_sessions_sign_ins_and_events(
    users: InMemoryUserRepository,
    sessions: InMemorySessionStore,
    identities: InMemoryIdentityStore,
    events: InMemoryPushEventStore,
    now_clock: FixedClock,
) -> None:
    show = ShowUserRecord(
        users=users,
        identities=identities,
        sessions=sessions,
        events=events,
        policy=SessionPolicy(max_age=timedelta(days=30)),
        clock=now_clock,
    )
    user, other = a_user(), a_user()
    for person in (user, other):
        await users.add_if_absent(person)
    old = a_session(user.pb_id, NOW - timedelta(days=31), 1)  # past its lifetime
    ended = a_session(user.pb_id, NOW - timedelta(days=2), 2)
    current = a_session(user.pb_id, NOW - timedelta(days=1), 3)
    for session in (old, ended, current):
        await sessions.start(session, limit=10)
    await sessions.end(user.pb_id, ended.id, at=NOW)
    for n, pb_id in enumerate((user.pb_id, other.pb_id)):
        record = PushEventRecord(
            id=f"{n:064x}",
            appid="wx-app",
            event="user_info_modified",
            sent=NOW,
            received=NOW,
            outcome=PushOutcome.CLEARED,
            pb_id=pb_id,
        )
        await events.add(record)

    shown = await show.execute(user.pb_id)

    assert shown.user == user
    assert shown.open_sessions == (current,)
    assert [each.id for each in shown.sign_ins] == [current.id, ended.id, old.id]
    assert [each.pb_id for each in shown.events] == [user.pb_id]
    with pytest.raises(UserNotFound):
        await show.execute("nobody000000000")
