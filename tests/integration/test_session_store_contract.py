"""One contract for every `SessionStore`: memory, SQLite, PostgreSQL (directly and through
PgBouncer) and PocketBase (through BAI's hook) behave alike."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bai.adapters.storage import Storage
from bai.domain.entities import User, UserStatus
from bai.domain.errors import IdentityTaken
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.domain.values import WeChatIdentity
from bai.ports.login_code_ledger import CodeAnswer, CodeClaim, Settlement
from tests.support.builders import ACME, a_user
from tests.support.identity_stores import PRIMARY, backend, backend_url

__all__ = ["backend", "backend_url"]
AT = datetime(2026, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
_numbers = iter(range(10**6))


def a_session(user: User, *, at: datetime = AT, user_agent: str = "") -> Session:
    return Session(
        id=f"s{next(_numbers):014d}",
        pb_id=user.pb_id,
        app=PRIMARY,
        created=at,
        renewed=at,
        user_agent=user_agent,
    )


async def stored_user(backend: Storage) -> User:
    user = a_user()
    await backend.users.add_if_absent(user)
    return user


async def test_a_session_is_read_with_its_user(backend: Storage) -> None:
    user = await stored_user(backend)
    session = a_session(user, user_agent="Mozilla/5.0 (iPhone) MicroMessenger/8.0 小程序")

    await backend.sessions.start(session, limit=10)

    assert await backend.sessions.holder(user.pb_id, session.id) == (user, session)
    assert await backend.sessions.holder(user.pb_id, "s99999999999999") == (user, None)
    assert await backend.sessions.holder("nobody000000000", session.id) is None
    assert await backend.sessions.find(session.id) == session
    assert await backend.sessions.find("s99999999999999") is None


async def test_another_users_session_is_not_theirs(backend: Storage) -> None:
    user, other = await stored_user(backend), await stored_user(backend)
    session = a_session(user)
    await backend.sessions.start(session, limit=10)

    assert await backend.sessions.holder(other.pb_id, session.id) == (other, None)
    assert not await backend.sessions.end(other.pb_id, session.id, at=AT)
    assert not await backend.sessions.renew(session.id, other, at=AT)


async def test_a_renewal_is_kept_while_the_user_is_still_allowed_it(backend: Storage) -> None:
    user = await stored_user(backend)
    session = a_session(user)
    await backend.sessions.start(session, limit=10)
    later = AT + timedelta(hours=1)

    assert await backend.sessions.renew(session.id, user, at=later)

    assert await backend.sessions.holder(user.pb_id, session.id) == (
        user,
        replace(session, renewed=later),
    )


async def test_a_renewal_landing_after_a_disable_or_revoke_writes_nothing(
    backend: Storage,
) -> None:
    user = await stored_user(backend)
    session = a_session(user)
    await backend.sessions.start(session, limit=10)
    await backend.users.set_status(user.pb_id, UserStatus.DISABLED, updated=AT)

    assert not await backend.sessions.renew(session.id, user, at=AT + timedelta(hours=1))
    await backend.users.set_status(user.pb_id, UserStatus.ACTIVE, updated=AT)
    await backend.users.set_token_key(user.pb_id, "k" * 50, updated=AT)
    assert not await backend.sessions.renew(session.id, user, at=AT + timedelta(hours=1))

    found = await backend.sessions.holder(user.pb_id, session.id)
    assert found is not None
    assert found[1] == session


async def test_an_ended_session_stays_ended(backend: Storage) -> None:
    user = await stored_user(backend)
    session = a_session(user)
    await backend.sessions.start(session, limit=10)
    ended_at = AT + timedelta(minutes=5)

    assert await backend.sessions.end(user.pb_id, session.id, at=ended_at)

    assert not await backend.sessions.end(user.pb_id, session.id, at=ended_at)
    assert not await backend.sessions.renew(session.id, user, at=ended_at)
    found = await backend.sessions.holder(user.pb_id, session.id)
    assert found is not None
    assert found[1] == replace(session, ended=ended_at)
    assert await backend.sessions.open_of(user.pb_id, began_after=AT - timedelta(days=1)) == []


async def test_every_session_of_a_user_ends_together(backend: Storage) -> None:
    user, other = await stored_user(backend), await stored_user(backend)
    mine = [a_session(user, at=AT + timedelta(seconds=n)) for n in range(3)]
    theirs = a_session(other)
    for session in [*mine, theirs]:
        await backend.sessions.start(session, limit=10)

    assert await backend.sessions.end_all(user.pb_id, at=AT + timedelta(hours=1)) == 3

    assert await backend.sessions.end_all(user.pb_id, at=AT + timedelta(hours=1)) == 0
    since = AT - timedelta(days=1)
    assert await backend.sessions.open_of(user.pb_id, began_after=since) == []
    assert await backend.sessions.open_of(other.pb_id, began_after=since) == [theirs]


async def test_open_sessions_are_listed_newest_first_within_their_lifetime(
    backend: Storage,
) -> None:
    user = await stored_user(backend)
    sessions = [a_session(user, at=AT + timedelta(days=n)) for n in range(3)]
    for session in sessions:
        await backend.sessions.start(session, limit=10)

    listed = await backend.sessions.open_of(user.pb_id, began_after=AT)

    assert listed == [sessions[2], sessions[1]]  # the first began at AT: past its lifetime


async def test_a_users_recent_sign_ins_are_listed_newest_first_ended_or_not(
    backend: Storage,
) -> None:
    user, other = await stored_user(backend), await stored_user(backend)
    sessions = [a_session(user, at=AT + timedelta(days=n)) for n in range(4)]
    for session in [*sessions, a_session(other)]:
        await backend.sessions.start(session, limit=10)
    ended_at = AT + timedelta(days=5)
    assert await backend.sessions.end(user.pb_id, sessions[3].id, at=ended_at)

    recent = await backend.sessions.recent_of(user.pb_id, limit=3)

    assert recent == [replace(sessions[3], ended=ended_at), sessions[2], sessions[1]]
    assert await backend.sessions.recent_of("nobody000000000", limit=3) == []


async def test_a_session_beyond_the_limit_ends_the_oldest(backend: Storage) -> None:
    user = await stored_user(backend)
    sessions = [a_session(user, at=AT + timedelta(seconds=n)) for n in range(4)]

    for session in sessions:
        await backend.sessions.start(session, limit=3)

    since = AT - timedelta(days=1)
    assert await backend.sessions.open_of(user.pb_id, began_after=since) == sessions[:0:-1]
    found = await backend.sessions.holder(user.pb_id, sessions[0].id)
    assert found is not None
    assert found[1] == replace(sessions[0], ended=sessions[3].created)


async def test_concurrent_sign_ins_keep_at_most_the_limit_open(backend: Storage) -> None:
    user = await stored_user(backend)
    sessions = [a_session(user, at=AT + timedelta(seconds=n)) for n in range(12)]

    await asyncio.gather(*(backend.sessions.start(s, limit=5) for s in sessions))

    since = AT - timedelta(days=1)
    assert len(await backend.sessions.open_of(user.pb_id, began_after=since)) <= 5


async def registered(backend: Storage) -> tuple[Identity, User]:
    openid = f"o-{next(_numbers)}"
    user = a_user(openid=openid)
    identity = Identity(appid=PRIMARY, openid=openid, pb_id=user.pb_id, created=AT)
    return identity, await backend.identities.register(user, identity)


async def test_a_known_identitys_sign_in_reads_it_and_keeps_the_session(backend: Storage) -> None:
    identity, user = await registered(backend)
    session = a_session(user)

    found = await backend.sessions.start_for_identity(
        PRIMARY, identity.openid, replace(session, pb_id=""), limit=10
    )

    assert found == await backend.identities.find(PRIMARY, identity.openid)
    assert found is not None
    assert found[1] == user
    assert await backend.sessions.holder(user.pb_id, session.id) == (user, session)


async def test_nobody_holding_the_identity_keeps_nothing(backend: Storage) -> None:
    await registered(backend)
    session = a_session(a_user())

    assert await backend.sessions.start_for_identity(PRIMARY, "o-nobody", session, limit=10) is None
    assert await backend.sessions.find(session.id) is None


@pytest.mark.parametrize("holder", ["known", "nobody", "disabled"])
async def test_a_sign_in_records_the_login_codes_answer_whatever_it_finds(
    backend: Storage, holder: str
) -> None:
    identity, user = await registered(backend)
    if holder == "disabled":
        await backend.users.set_status(user.pb_id, UserStatus.DISABLED, updated=AT)
    openid = "o-nobody" if holder == "nobody" else identity.openid
    key = f"code-{next(_numbers)}"
    assert (await backend.login_codes.claim(key)).mine
    answer = CodeAnswer(WeChatIdentity(openid, "u-1"))

    await backend.sessions.start_for_identity(
        PRIMARY, openid, a_session(user), limit=10, settling=Settlement(key, answer, 60)
    )

    assert await backend.login_codes.claim(key) == CodeClaim(answer=answer)


async def test_a_disabled_users_identity_is_read_and_no_session_kept(backend: Storage) -> None:
    identity, user = await registered(backend)
    await backend.users.set_status(user.pb_id, UserStatus.DISABLED, updated=AT)
    session = a_session(user)

    found = await backend.sessions.start_for_identity(PRIMARY, identity.openid, session, limit=10)

    assert found is not None
    assert found[1].is_disabled
    assert await backend.sessions.find(session.id) is None


async def test_concurrent_sign_ins_by_identity_keep_at_most_the_limit_open(
    backend: Storage,
) -> None:
    identity, user = await registered(backend)
    sessions = [a_session(user, at=AT + timedelta(seconds=n)) for n in range(12)]
    openid = identity.openid

    await asyncio.gather(
        *(backend.sessions.start_for_identity(PRIMARY, openid, s, limit=5) for s in sessions)
    )

    since = AT - timedelta(days=1)
    assert len(await backend.sessions.open_of(user.pb_id, began_after=since)) == 5


async def test_a_registration_keeps_the_new_users_first_session(backend: Storage) -> None:
    openid = f"o-{next(_numbers)}"
    user = a_user(openid=openid)
    identity = Identity(appid=PRIMARY, openid=openid, pb_id=user.pb_id, created=AT)
    session = a_session(user)

    stored = await backend.sessions.register_with_session(
        user, identity, replace(session, pb_id=""), limit=10
    )

    assert stored == user
    assert await backend.identities.find(PRIMARY, openid) == (identity, user)
    assert await backend.sessions.holder(user.pb_id, session.id) == (user, session)


async def test_a_registration_refused_keeps_no_session(backend: Storage) -> None:
    identity, holder = await registered(backend)
    user = a_user()  # another user, the same identity
    session = a_session(user)

    with pytest.raises(IdentityTaken):
        await backend.sessions.register_with_session(
            user, replace(identity, pb_id=user.pb_id), session, limit=10
        )

    assert await backend.sessions.find(session.id) is None
    assert await backend.users.get(user.pb_id) is None
    assert await backend.identities.find(PRIMARY, identity.openid) == (identity, holder)


async def test_a_deleted_users_sessions_go_with_it(backend: Storage) -> None:
    user = await stored_user(backend)
    session = a_session(user)
    await backend.sessions.start(session, limit=10)

    await backend.users.delete(user.pb_id)

    assert await backend.sessions.holder(user.pb_id, session.id) is None
    assert await backend.sessions.find(session.id) is None
    assert await backend.sessions.end_all(user.pb_id, at=AT) == 0


async def test_the_sweep_removes_long_ended_and_long_expired_sessions_only(
    backend: Storage,
) -> None:
    user = await stored_user(backend)
    old_ended = a_session(user)
    old_open = a_session(user, at=AT - timedelta(days=90))
    recent = a_session(user, at=AT + timedelta(days=1))
    for session in [old_ended, old_open, recent]:
        await backend.sessions.start(session, limit=10)
    await backend.sessions.end(user.pb_id, old_ended.id, at=AT)

    removed = await backend.sessions.sweep(
        ended_before=AT + timedelta(seconds=1), began_before=AT - timedelta(days=60)
    )

    assert removed == 2
    assert await backend.sessions.holder(user.pb_id, old_ended.id) == (user, None)
    assert await backend.sessions.holder(user.pb_id, old_open.id) == (user, None)
    found = await backend.sessions.holder(user.pb_id, recent.id)
    assert found is not None
    assert found[1] == recent


async def test_a_sessions_holder_comes_as_get_returns_it(backend: Storage) -> None:
    user = replace(a_user(), company_id=ACME.company_id)  # a company id with no company
    await backend.users.add_if_absent(user)
    session = a_session(user)
    await backend.sessions.start(session, limit=10)

    found = await backend.sessions.holder(user.pb_id, session.id)

    assert found == (await backend.users.get(user.pb_id), session)


async def test_a_session_of_a_user_gone_meanwhile_is_not_kept(backend: Storage) -> None:
    user = await stored_user(backend)
    await backend.users.delete(user.pb_id)

    await backend.sessions.start(a_session(user), limit=10)

    assert await backend.sessions.holder(user.pb_id, "s99999999999999") is None
    assert await backend.sessions.sweep(ended_before=AT, began_before=AT + timedelta(days=1)) == 0


async def test_sign_ins_are_the_sessions_begun_in_the_range_ended_or_not(
    backend: Storage,
) -> None:
    user, gone = await stored_user(backend), await stored_user(backend)
    for hours in [-1, 0, 5, 23, 24]:  # the range is [AT, AT + 24 h)
        await backend.sessions.start(a_session(user, at=AT + timedelta(hours=hours)), limit=10)
    ended = a_session(user, at=AT + timedelta(hours=6))
    await backend.sessions.start(ended, limit=10)
    await backend.sessions.end(user.pb_id, ended.id, at=AT + timedelta(hours=7))
    await backend.sessions.start(a_session(gone, at=AT + timedelta(hours=1)), limit=10)
    await backend.users.delete(gone.pb_id)

    begun = await backend.sessions.begun_between(since=AT, until=AT + timedelta(hours=24))

    assert begun == 4
    assert await backend.sessions.begun_between(since=AT, until=AT) == 0


async def test_sign_ins_between_milliseconds_of_a_bound_count_as_the_domain_says(
    backend: Storage,
) -> None:
    user = await stored_user(backend)
    for seconds in [0, 1]:
        await backend.sessions.start(a_session(user, at=AT + timedelta(seconds=seconds)), limit=10)
    just_after = timedelta(microseconds=1)

    assert (
        await backend.sessions.begun_between(since=AT + just_after, until=AT + 2 * just_after) == 0
    )
    assert (
        await backend.sessions.begun_between(
            since=AT - just_after, until=AT + timedelta(seconds=1) + just_after
        )
        == 2
    )
