"""SPEC "WeChat's push events" on the memory stores: what each event deletes, once; the record
without openids; WeChat's daily e-mail as a dry run, then applied."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.push_event_store import InMemoryPushEventStore
from bai.adapters.memory.session_store import InMemorySessionStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.domain.entities import User, UserStatus
from bai.domain.errors import StorageUnavailable, UnknownApp
from bai.domain.identities import Identity
from bai.domain.push_events import REVOKED_FIELDS, PushEvent, PushOutcome, WithdrawnField
from bai.domain.use_cases.push_events import (
    ApplyPushEvent,
    ForgetPushEvents,
)
from bai.domain.use_cases.revocation_list import Revocation, RevokeFromList
from tests.support.builders import a_user
from tests.support.fakes import SECOND_APP, TEST_APP, TEST_APPS, FixedClock

KEYS = {TEST_APP: b"k" * 32, SECOND_APP: b"c" * 32}
PHONE, NAME, PICTURE = WithdrawnField.PHONE, WithdrawnField.NAME, WithdrawnField.PICTURE


@pytest.fixture
def apply(
    events: InMemoryPushEventStore,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    sessions: InMemorySessionStore,
    clock: FixedClock,
) -> ApplyPushEvent:
    return ApplyPushEvent(
        events=events,
        users=users,
        identities=identities,
        sessions=sessions,
        apps=TEST_APPS,
        clock=clock,
        record_keys=KEYS,
    )


async def a_profiled_user(
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    *,
    openid: str = "o-1",
    status: UserStatus = UserStatus.ACTIVE,
) -> str:
    user = a_user(openid=openid, status=status)
    phone = f"138{abs(hash(openid)) % 10**8:08d}"
    user = replace(user, users_phone=phone, users_name="张三", users_picture="https://p")
    identity = Identity(appid=TEST_APP, openid=openid, pb_id=user.pb_id, created=user.created)
    await identities.register(user, identity)
    return user.pb_id


def revoke(openid: str, codes: str, *, at: int = 1_714_000_000) -> PushEvent:
    return PushEvent(TEST_APP, "user_authorization_revoke", openid, at, codes)


@given(st.lists(st.sampled_from(["1", "2", "6", "8", "19", "20", "21", "x", ""]), max_size=6))
def test_revoke_info_names_exactly_the_fields_of_its_known_codes(codes: list[str]) -> None:
    named = revoke("o", ",".join(codes)).revoked()

    expected = set().union(*(REVOKED_FIELDS.get(code, set()) for code in codes))
    assert named == expected


@given(
    st.sampled_from(["appid", "event", "openid", "create_time", "revoke_info"]),
    st.text(min_size=1, max_size=20),
)
def test_an_events_key_tells_it_apart_by_every_part_and_hides_the_openid(
    part: str, other: str
) -> None:
    event = PushEvent(TEST_APP, "user_authorization_revoke", "o-secret-openid", 1, "8")
    value: object = len(other) + 2 if part == "create_time" else other + "!"
    changed = replace(event, **{part: value})  # type: ignore[arg-type]

    assert event.key(b"k") != changed.key(b"k")
    assert event.key(b"k") != event.key(b"other key")
    assert "o-secret-openid" not in event.key(b"k")


async def test_a_disabled_users_withdrawn_phone_is_cleared_too(
    apply: ApplyPushEvent, users: InMemoryUserRepository, identities: InMemoryIdentityStore
) -> None:
    pb_id = await a_profiled_user(users, identities, status=UserStatus.DISABLED)

    record = await apply.execute(revoke("o-1", "8"))

    user = await users.get(pb_id)
    assert user is not None
    assert (user.users_phone, user.users_name) == ("", "张三")
    assert (record.outcome, record.fields, record.pb_id) == (
        PushOutcome.CLEARED,
        "users_phone",
        pb_id,
    )


async def test_a_primary_user_without_identity_is_found_and_cancelled(
    apply: ApplyPushEvent, users: InMemoryUserRepository
) -> None:
    legacy = a_user(openid="o-legacy")  # made by PocketBase's side: no identity yet
    await users.add_if_absent(legacy)

    record = await apply.execute(
        PushEvent(TEST_APP, "user_authorization_cancellation", "o-legacy", 1)
    )

    assert record.outcome is PushOutcome.USER_DELETED
    assert await users.get(legacy.pb_id) is None


async def test_an_event_without_openid_touches_no_user_without_one(
    apply: ApplyPushEvent, users: InMemoryUserRepository
) -> None:
    nameless = replace(a_user(openid=""), users_name="李四")  # a user of another app only
    await users.add_if_absent(nameless)

    record = await apply.execute(PushEvent(TEST_APP, "user_info_modified", "", 1))

    assert record.outcome is PushOutcome.UNKNOWN_OPENID
    stored = await users.get(nameless.pb_id)
    assert stored is not None
    assert stored.users_name == "李四"


async def test_the_email_list_is_counted_first_and_applied_when_asked(
    apply: ApplyPushEvent,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    events: InMemoryPushEventStore,
    clock: FixedClock,
) -> None:
    first = await a_profiled_user(users, identities, openid="o-1")
    await a_profiled_user(users, identities, openid="o-2")
    revoking = RevokeFromList(
        apply=apply, users=users, identities=identities, apps=TEST_APPS, clock=clock
    )
    listed = [Revocation("o-1", "8"), Revocation("o-2"), Revocation("o-nobody")]

    planned = await revoking.execute(TEST_APP, listed, apply=False)
    untouched = await users.get(first)
    done = await revoking.execute(TEST_APP, listed, apply=True)

    assert (planned.users, planned.unknown) == (2, 1)
    assert planned.fields == {PHONE: 2, NAME: 1, PICTURE: 1}
    assert untouched is not None
    assert untouched.users_phone
    assert done == planned
    cleared = await users.get(first)
    assert cleared is not None
    assert cleared.users_phone == ""
    assert len(await events.recent(limit=10)) == 3
    with pytest.raises(UnknownApp):
        await revoking.execute("wxnotours0000001", listed, apply=False)


async def test_records_past_their_retention_are_swept(
    apply: ApplyPushEvent, events: InMemoryPushEventStore, clock: FixedClock
) -> None:
    await apply.execute(revoke("o-old", "8", at=1))
    clock.advance(2 * 86400)
    await apply.execute(revoke("o-new", "8", at=2))

    removed = await ForgetPushEvents(
        events=events, clock=clock, retention=timedelta(days=1)
    ).execute()

    assert removed == 1
    assert [record.sent.timestamp() for record in await events.recent(limit=10)] == [2.0]


class FailingWithdraw(InMemoryUserRepository):
    """The store goes away once, as the event is applied."""

    failures = 1

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        if self.failures:
            self.failures -= 1
            raise StorageUnavailable
        return await super().withdraw(pb_id, fields, updated=updated)


async def test_an_event_that_could_not_be_applied_is_applied_by_wechats_retry(
    events: InMemoryPushEventStore, sessions: InMemorySessionStore, clock: FixedClock
) -> None:
    users = FailingWithdraw()
    identities = InMemoryIdentityStore(users)
    pb_id = await a_profiled_user(users, identities)
    apply = ApplyPushEvent(
        events=events,
        users=users,
        identities=identities,
        sessions=sessions,
        apps=TEST_APPS,
        clock=clock,
        record_keys=KEYS,
    )

    with pytest.raises(StorageUnavailable):
        await apply.execute(revoke("o-1", "8"))
    unrecorded = await events.recent(limit=10)
    retried = await apply.execute(revoke("o-1", "8"))

    assert unrecorded == []
    assert retried.outcome is PushOutcome.CLEARED
    user = await users.get(pb_id)
    assert user is not None
    assert user.users_phone == ""
