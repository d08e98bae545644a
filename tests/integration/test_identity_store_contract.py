"""One contract for every `IdentityStore`: memory, SQLite, PostgreSQL (directly and through
PgBouncer) and PocketBase (through BAI's hook) behave alike."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bai.adapters.storage import Storage
from bai.domain.entities import User
from bai.domain.errors import IdentifierTaken, IdentityTaken, PhoneAlreadyBound, UnionidTaken
from bai.domain.identities import ConflictKind, ConflictState, Identity, IdentityConflict
from tests.support.builders import ACME, a_user
from tests.support.identity_stores import OTHER, PRIMARY, backend, backend_url

__all__ = ["backend", "backend_url"]
AT = datetime(2026, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)


def identity_of(user: User, appid: str = PRIMARY, openid: str = "", unionid: str = "") -> Identity:
    return Identity(
        appid=appid,
        openid=openid or user.openid or f"o-{appid}-{user.pb_id}",
        pb_id=user.pb_id,
        unionid=unionid,
        created=AT,
    )


def newcomer(*, primary: bool = True, unionid: str = "") -> User:
    user = replace(a_user(), unionid=unionid)
    return user if primary else replace(user, openid="")


async def test_nobody_is_found_by_an_unknown_identity_or_unionid(backend: Storage) -> None:
    assert await backend.identities.find(PRIMARY, "nobody") is None
    assert await backend.identities.user_with_unionid("") is None
    assert await backend.identities.user_with_unionid("u-nobody") is None
    assert await backend.identities.identities_of("nobody000000000") == []


async def test_a_registration_stores_the_user_with_its_identity(backend: Storage) -> None:
    user = newcomer(unionid="u-1")
    identity = identity_of(user, unionid="u-1")

    stored = await backend.identities.register(user, identity)

    assert stored == user
    assert await backend.identities.find(PRIMARY, user.openid) == (identity, user)
    assert await backend.identities.user_with_unionid("u-1") == user
    assert await backend.identities.identities_of(user.pb_id) == [identity]
    assert await backend.users.get_by_openid(user.openid) == user
    assert await backend.users.count() == 1


async def test_a_user_of_another_app_keeps_no_openid_of_its_own(backend: Storage) -> None:
    user = newcomer(primary=False)
    identity = identity_of(user, OTHER, openid="o-other")

    await backend.identities.register(user, identity)

    found = await backend.identities.find(OTHER, "o-other")
    assert found is not None
    assert found[1].openid == ""
    assert await backend.identities.find(PRIMARY, "o-other") is None


async def test_a_found_user_comes_as_get_returns_it(backend: Storage) -> None:
    user = replace(newcomer(), company_id=ACME.company_id)  # a company id with no company
    await backend.identities.register(user, identity_of(user))

    found = await backend.identities.find(PRIMARY, user.openid)

    assert found is not None
    assert found[1] == await backend.users.get(user.pb_id)


async def test_a_held_identity_refuses_a_second_registration(backend: Storage) -> None:
    first = newcomer(primary=False)
    await backend.identities.register(first, identity_of(first, OTHER, openid="o-1"))
    second = newcomer(primary=False)

    with pytest.raises(IdentityTaken):
        await backend.identities.register(second, identity_of(second, OTHER, openid="o-1"))
    assert await backend.users.get(second.pb_id) is None
    assert await backend.users.count() == 1


async def test_a_held_primary_openid_refuses_a_registration(backend: Storage) -> None:
    older = a_user(openid="o-old")  # made before identities existed: no identity
    await backend.users.add_if_absent(older)
    user = replace(a_user(), openid="o-old")

    with pytest.raises(IdentityTaken):
        await backend.identities.register(user, identity_of(user))
    assert await backend.users.count() == 1


async def test_a_held_unionid_refuses_a_registration_and_stores_nothing(backend: Storage) -> None:
    first = newcomer(unionid="u-1")
    await backend.identities.register(first, identity_of(first, unionid="u-1"))
    second = newcomer(primary=False, unionid="u-1")
    identity = identity_of(second, OTHER, openid="o-2", unionid="u-1")

    with pytest.raises(UnionidTaken):
        await backend.identities.register(second, identity)
    assert await backend.identities.find(OTHER, "o-2") is None
    assert await backend.users.count() == 1


async def test_a_held_phone_or_identifier_refuses_a_registration(backend: Storage) -> None:
    first = replace(newcomer(), users_phone="13800138000")
    await backend.identities.register(first, identity_of(first))
    same_phone = replace(newcomer(), users_phone=first.users_phone)
    same_number = replace(newcomer(), users_id=first.users_id)

    with pytest.raises(PhoneAlreadyBound):
        await backend.identities.register(same_phone, identity_of(same_phone))
    with pytest.raises(IdentifierTaken):
        await backend.identities.register(same_number, identity_of(same_number))
    assert await backend.identities.find(PRIMARY, same_phone.openid) is None
    assert await backend.identities.find(PRIMARY, same_number.openid) is None
    assert await backend.users.count() == 1


async def test_one_of_concurrent_registrations_of_one_identity_wins(backend: Storage) -> None:
    users = [newcomer(primary=False) for _ in range(8)]
    outcomes = await asyncio.gather(
        *(backend.identities.register(u, identity_of(u, OTHER, openid="o-1")) for u in users),
        return_exceptions=True,
    )

    assert sum(isinstance(outcome, User) for outcome in outcomes) == 1
    assert all(isinstance(o, User | IdentityTaken) for o in outcomes), outcomes
    assert await backend.users.count() == 1


async def test_one_of_concurrent_registrations_of_one_unionid_wins(backend: Storage) -> None:
    users = [newcomer(primary=False, unionid="u-1") for _ in range(8)]
    outcomes = await asyncio.gather(
        *(
            backend.identities.register(u, identity_of(u, OTHER, openid=f"o-{n}", unionid="u-1"))
            for n, u in enumerate(users)
        ),
        return_exceptions=True,
    )

    assert sum(isinstance(outcome, User) for outcome in outcomes) == 1
    assert all(isinstance(o, User | UnionidTaken) for o in outcomes), outcomes
    assert await backend.users.count() == 1


async def test_an_identity_is_linked_to_a_user(backend: Storage) -> None:
    user = newcomer(unionid="u-1")
    await backend.identities.register(user, identity_of(user, unionid="u-1"))
    other = identity_of(user, OTHER, openid="o-other", unionid="u-1")

    linked = await backend.identities.link(other, primary=False)

    assert linked == user
    assert await backend.identities.find(OTHER, "o-other") == (other, user)
    assert await backend.identities.identities_of(user.pb_id) == sorted(
        [identity_of(user, unionid="u-1"), other], key=lambda each: each.appid
    )


async def test_a_link_that_breaks_a_unique_rule_is_refused(backend: Storage) -> None:
    user, someone = newcomer(primary=False), newcomer(primary=False)
    await backend.identities.register(user, identity_of(user, OTHER, openid="o-1"))
    await backend.identities.register(someone, identity_of(someone, OTHER, openid="o-2"))

    with pytest.raises(IdentityTaken):  # held by another user
        await backend.identities.link(identity_of(user, OTHER, openid="o-2"), primary=False)
    with pytest.raises(IdentityTaken):  # the user has one in that app already
        await backend.identities.link(identity_of(user, OTHER, openid="o-3"), primary=False)
    assert await backend.identities.find(OTHER, "o-3") is None
    assert [i.openid for i in await backend.identities.identities_of(user.pb_id)] == ["o-1"]


async def test_a_primary_link_gives_the_user_its_openid(backend: Storage) -> None:
    user = newcomer(primary=False)
    await backend.identities.register(user, identity_of(user, OTHER, openid="o-other"))

    linked = await backend.identities.link(identity_of(user, openid="o-main"), primary=True)

    assert linked is not None
    assert linked.openid == "o-main"
    assert await backend.users.get_by_openid("o-main") == linked


async def test_a_user_without_identity_adopts_its_own_openid(backend: Storage) -> None:
    older = a_user(openid="o-old")
    await backend.users.add_if_absent(older)

    linked = await backend.identities.link(identity_of(older), primary=True)

    assert linked == older
    assert await backend.identities.find(PRIMARY, "o-old") == (identity_of(older), older)


async def test_a_link_to_a_gone_user_is_none(backend: Storage) -> None:
    user = newcomer()
    await backend.identities.register(user, identity_of(user))
    await backend.users.delete(user.pb_id)

    assert await backend.identities.link(identity_of(user, OTHER, "o-x"), primary=False) is None
    assert await backend.identities.find(OTHER, "o-x") is None


async def test_a_deleted_user_takes_its_identities_along(backend: Storage) -> None:
    user = newcomer()
    await backend.identities.register(user, identity_of(user))
    await backend.identities.link(identity_of(user, OTHER, "o-x"), primary=False)

    assert await backend.users.delete(user.pb_id)

    assert await backend.identities.find(PRIMARY, user.openid) is None
    assert await backend.identities.find(OTHER, "o-x") is None
    again = newcomer(primary=False)
    await backend.identities.register(again, identity_of(again, OTHER, "o-x"))


async def test_a_unionid_is_noted_for_the_identity_and_a_user_without_one(
    backend: Storage,
) -> None:
    user = newcomer()
    identity = identity_of(user)
    await backend.identities.register(user, identity)

    await backend.identities.note_unionid(identity, "u-1", for_user=True)

    found = await backend.identities.find(PRIMARY, user.openid)
    assert found is not None
    assert found[0].unionid == "u-1"
    assert found[1].unionid == "u-1"
    assert await backend.identities.user_with_unionid("u-1") == found[1]


async def test_a_unionid_noted_for_the_identity_alone_leaves_the_user(backend: Storage) -> None:
    user = newcomer(unionid="u-1")
    identity = identity_of(user, unionid="u-1")
    await backend.identities.register(user, identity)

    await backend.identities.note_unionid(identity, "u-2", for_user=False)

    found = await backend.identities.find(PRIMARY, user.openid)
    assert found is not None
    assert (found[0].unionid, found[1].unionid) == ("u-2", "u-1")


async def test_another_users_unionid_is_refused_and_changes_nothing(backend: Storage) -> None:
    holder = newcomer(unionid="u-1")
    await backend.identities.register(holder, identity_of(holder, unionid="u-1"))
    user = newcomer()
    identity = identity_of(user)
    await backend.identities.register(user, identity)

    with pytest.raises(UnionidTaken):
        await backend.identities.note_unionid(identity, "u-1", for_user=True)

    assert await backend.identities.find(PRIMARY, user.openid) == (identity, user)


async def test_an_unlinked_identity_is_gone_and_a_primary_one_takes_the_openid(
    backend: Storage,
) -> None:
    user = newcomer()
    await backend.identities.register(user, identity_of(user))
    await backend.identities.link(identity_of(user, OTHER, "o-x"), primary=False)

    removed = await backend.identities.unlink(PRIMARY, user.openid, primary=True)

    assert removed == identity_of(user)
    assert await backend.identities.find(PRIMARY, user.openid) is None
    assert await backend.users.get_by_openid(user.openid) is None
    assert [i.appid for i in await backend.identities.identities_of(user.pb_id)] == [OTHER]
    assert await backend.identities.unlink(PRIMARY, user.openid, primary=True) is None


def a_conflict(user: User, other: User, unionid: str = "u-1") -> IdentityConflict:
    return IdentityConflict(
        kind=ConflictKind.UNIONID_TAKEN,
        appid=OTHER,
        openid="o-x",
        unionid=unionid,
        pb_id=user.pb_id,
        other_pb_id=other.pb_id,
        created=AT,
    )


async def test_a_conflict_is_recorded_once_and_settled_once(backend: Storage) -> None:
    user, other = newcomer(), newcomer()
    conflict = a_conflict(user, other)

    await backend.identities.add_conflict(conflict)
    await backend.identities.add_conflict(replace(conflict, created=AT.replace(year=2027)))

    assert await backend.identities.conflicts() == [conflict]
    assert await backend.identities.settle_conflict(conflict.id, ConflictState.DISMISSED)
    assert not await backend.identities.settle_conflict(conflict.id, ConflictState.DISMISSED)
    assert not await backend.identities.settle_conflict("nothing00000000", ConflictState.DISMISSED)
    assert await backend.identities.conflicts() == []
    dismissed = replace(conflict, state=ConflictState.DISMISSED)
    assert await backend.identities.conflicts(state=None) == [dismissed]
    await backend.identities.add_conflict(conflict)  # met again: stays dismissed
    assert await backend.identities.conflicts(state=ConflictState.DISMISSED) == [dismissed]


async def test_a_conflict_is_found_by_its_id_whatever_its_state(backend: Storage) -> None:
    conflict = a_conflict(newcomer(), newcomer())
    await backend.identities.add_conflict(conflict)

    found = await backend.identities.conflict(conflict.id)
    await backend.identities.settle_conflict(conflict.id, ConflictState.DISMISSED)
    settled = await backend.identities.conflict(conflict.id)

    assert found == conflict
    assert settled == replace(conflict, state=ConflictState.DISMISSED)
    assert await backend.identities.conflict("nothing00000000") is None
    assert await backend.identities.conflict("") is None


async def test_conflicts_about_an_identity_are_resolved_together(backend: Storage) -> None:
    user, other = newcomer(), newcomer()
    first, second = a_conflict(user, other, "u-1"), a_conflict(user, other, "u-2")
    later = replace(second, created=AT.replace(year=2027))
    await backend.identities.add_conflict(later)
    await backend.identities.add_conflict(first)

    assert await backend.identities.conflicts(limit=1) == [first]
    assert await backend.identities.settle_conflicts_of(OTHER, "o-x") == 2
    assert await backend.identities.conflicts() == []
    assert {c.state for c in await backend.identities.conflicts(state=None)} == {
        ConflictState.RESOLVED
    }
