"""One contract for every `UserRepository`: memory, SQLite, PostgreSQL (both adapters, and
asyncpg through PgBouncer) and PocketBase behave alike. Listing: `test_user_listing_contract.py`."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bai.domain.entities import User, UserStatus
from bai.domain.errors import IdentifierTaken, PhoneAlreadyBound
from bai.domain.push_events import WithdrawnField
from bai.ports.user_repository import UserRepository
from tests.support.builders import ACME, a_platform_user, a_user
from tests.support.repositories import MakeRepository, make_repository, storage, users

LATER = datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=UTC)
__all__ = ["make_repository", "storage", "users"]


async def test_unknown_users_are_none(users: UserRepository) -> None:
    assert await users.get("nobody000000000") is None
    assert await users.get_by_openid("nobody") is None
    assert await users.get_by_openid("") is None


async def test_a_new_user_is_stored_whole(users: UserRepository) -> None:
    user = replace(
        a_user(), unionid="union-1", users_name="小明 🐼", users_rank_level=3, updated=LATER
    )

    stored, created = await users.add_if_absent(user)

    assert created
    assert stored == user
    assert await users.get(user.pb_id) == user
    assert await users.get_by_openid(user.openid) == user
    assert (await users.get(user.pb_id)).updated.tzinfo is not None  # type: ignore[union-attr]


async def test_a_known_openid_returns_the_existing_user(users: UserRepository) -> None:
    first = a_user(openid="openid-1")
    await users.add_if_absent(first)

    stored, created = await users.add_if_absent(a_user(openid="openid-1"))

    assert not created
    assert stored == first
    assert await users.count() == 1


async def test_users_without_openid_coexist(users: UserRepository) -> None:
    for _ in range(2):
        await users.add_if_absent(a_platform_user())

    assert await users.count() == 2


async def test_a_taken_identifier_is_reported(users: UserRepository) -> None:
    first = a_user()
    await users.add_if_absent(first)

    with pytest.raises(IdentifierTaken):
        await users.add_if_absent(replace(a_user(), users_promo_code=first.users_promo_code))
    with pytest.raises(IdentifierTaken):
        await users.add_if_absent(replace(a_user(), pb_id=first.pb_id))
    assert await users.count() == 1


async def test_a_new_user_with_a_taken_phone_is_refused(users: UserRepository) -> None:
    await users.add_if_absent(a_user(phone="13800138000"))

    with pytest.raises(PhoneAlreadyBound):
        await users.add_if_absent(a_user(phone="13800138000"))


async def test_profile_is_saved(users: UserRepository) -> None:
    user = a_user()
    await users.add_if_absent(user)

    saved = await users.save_profile(
        user,
        users_name="张三",
        users_phone="13800138000",
        users_picture="https://x.cn/a.png",
        updated=LATER,
    )

    expected = user.with_profile(
        name="张三", phone="13800138000", picture="https://x.cn/a.png", at=LATER
    )
    assert saved == expected
    assert await users.get(user.pb_id) == expected


async def test_profile_of_nobody_is_none(users: UserRepository) -> None:
    saved = await users.save_profile(
        a_user(), users_name="n", users_phone="1", users_picture="p", updated=LATER
    )

    assert saved is None


async def test_profile_of_a_user_disabled_since_is_not_saved(users: UserRepository) -> None:
    user = a_user()
    await users.add_if_absent(user)
    await users.set_status(user.pb_id, UserStatus.DISABLED, updated=LATER)

    saved = await users.save_profile(
        user, users_name="n", users_phone="13800138000", users_picture="p", updated=LATER
    )

    assert saved is None
    assert (await users.get(user.pb_id)).users_phone == ""  # type: ignore[union-attr]


async def test_profile_of_a_user_revoked_since_is_not_saved(users: UserRepository) -> None:
    user = a_user()
    await users.add_if_absent(user)
    await users.set_token_key(user.pb_id, "R" * 50, updated=LATER)

    saved = await users.save_profile(
        user, users_name="n", users_phone="13800138000", users_picture="p", updated=LATER
    )

    assert saved is None
    assert (await users.get(user.pb_id)).users_phone == ""  # type: ignore[union-attr]


async def test_another_users_phone_cannot_be_claimed(users: UserRepository) -> None:
    owner, other = a_user(phone="13800138000"), a_user()
    for user in (owner, other):
        await users.add_if_absent(user)

    with pytest.raises(PhoneAlreadyBound):
        await users.save_profile(
            other, users_name="n", users_phone="13800138000", users_picture="p", updated=LATER
        )

    assert await users.get(other.pb_id) == other


async def test_changing_phone_frees_the_old_one(users: UserRepository) -> None:
    first, second = a_user(phone="13800000001"), a_user()
    for user in (first, second):
        await users.add_if_absent(user)

    await users.save_profile(
        first, users_name="a", users_phone="13800000002", users_picture="p", updated=LATER
    )
    taken = await users.save_profile(
        second, users_name="b", users_phone="13800000001", users_picture="p", updated=LATER
    )

    assert taken is not None
    assert taken.users_phone == "13800000001"


async def a_user_with_a_profile(users: UserRepository, *, phone: str = "13800138000") -> User:
    user = replace(
        a_user(phone=phone), users_name="张三", users_picture="https://x.cn/a.png", unionid="u-1"
    )
    await users.add_if_absent(user)
    return user


async def test_withdrawn_fields_alone_are_cleared(users: UserRepository) -> None:
    user = await a_user_with_a_profile(users)

    withdrawn = await users.withdraw(
        user.pb_id, frozenset({WithdrawnField.NAME, WithdrawnField.PICTURE}), updated=LATER
    )

    expected = replace(user, users_name="", users_picture="", updated=LATER)
    assert withdrawn == expected
    assert await users.get(user.pb_id) == expected


async def test_a_disabled_users_fields_are_withdrawn_too(users: UserRepository) -> None:
    user = await a_user_with_a_profile(users)
    await users.set_status(user.pb_id, UserStatus.DISABLED, updated=user.updated)

    withdrawn = await users.withdraw(user.pb_id, frozenset(WithdrawnField), updated=LATER)

    assert withdrawn == replace(
        user,
        users_status=UserStatus.DISABLED,
        users_phone="",
        users_name="",
        users_picture="",
        updated=LATER,
    )


async def test_withdrawing_what_is_empty_changes_nothing(users: UserRepository) -> None:
    user = replace(a_user(), users_name="张三")
    await users.add_if_absent(user)

    phone = await users.withdraw(user.pb_id, frozenset({WithdrawnField.PHONE}), updated=LATER)
    nothing = await users.withdraw(user.pb_id, frozenset(), updated=LATER)

    assert phone == user
    assert nothing == user
    assert await users.get(user.pb_id) == user


async def test_withdrawing_from_nobody_is_none(users: UserRepository) -> None:
    assert await users.withdraw("nobody000000000", frozenset(WithdrawnField), updated=LATER) is None


async def test_a_withdrawn_phone_is_free_for_another_user(users: UserRepository) -> None:
    holder, other = await a_user_with_a_profile(users), a_user()
    await users.add_if_absent(other)

    await users.withdraw(holder.pb_id, frozenset({WithdrawnField.PHONE}), updated=LATER)
    claimed = await users.save_profile(
        other, users_name="b", users_phone=holder.users_phone, users_picture="p", updated=LATER
    )

    assert claimed is not None
    assert claimed.users_phone == holder.users_phone


async def test_everyone_is_counted(users: UserRepository) -> None:
    for status in (UserStatus.ACTIVE, UserStatus.DISABLED):
        await users.add_if_absent(a_user(status=status))
    await users.add_if_absent(a_platform_user())

    assert await users.count() == 3


async def test_company_is_expanded_when_it_exists(make_repository: MakeRepository) -> None:
    users = await make_repository(with_companies=(ACME,))
    member, orphan, loner = a_user(company_id="ACME"), a_user(company_id="GONE"), a_user()
    for user in (member, orphan, loner):
        await users.add_if_absent(user)

    assert (await users.get(member.pb_id)).company == ACME  # type: ignore[union-attr]
    assert (await users.get(orphan.pb_id)).company is None  # type: ignore[union-attr]
    assert (await users.get(loner.pb_id)).company is None  # type: ignore[union-attr]


async def test_store_answers_ping(users: UserRepository) -> None:
    await users.ping()


async def test_fifty_concurrent_registrations_of_one_openid_make_one_row(
    users: UserRepository,
) -> None:
    newcomers = [a_user(openid="same-openid") for _ in range(50)]

    outcomes = await asyncio.gather(*(users.add_if_absent(user) for user in newcomers))

    assert await users.count() == 1
    assert len({stored.pb_id for stored, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1


async def test_of_concurrent_claims_of_one_phone_one_wins(users: UserRepository) -> None:
    claimants = [a_user(), a_user()]
    for user in claimants:
        await users.add_if_absent(user)
    claims = [
        users.save_profile(
            user, users_name="n", users_phone="13900000000", users_picture="p", updated=LATER
        )
        for user in claimants
        for _ in range(10)
    ]

    outcomes = await asyncio.gather(*claims, return_exceptions=True)

    assert all(isinstance(outcome, User | PhoneAlreadyBound) for outcome in outcomes), outcomes
    owners = [u.pb_id for u in claimants if (await users.get(u.pb_id)).users_phone == "13900000000"]  # type: ignore[union-attr]
    assert len(owners) == 1
    assert {outcome.pb_id for outcome in outcomes if isinstance(outcome, User)} == set(owners)


async def test_registrations_keep_working_once_statements_are_cached(users: UserRepository) -> None:
    for _ in range(12):
        _, created = await users.add_if_absent(a_user())
        assert created
    assert await users.count() == 12


async def test_status_changes_are_stored(users: UserRepository) -> None:
    user = a_user()
    await users.add_if_absent(user)

    disabled = await users.set_status(user.pb_id, UserStatus.DISABLED, updated=LATER)

    assert disabled == replace(user, users_status=UserStatus.DISABLED, updated=LATER)
    assert await users.get(user.pb_id) == disabled
    assert await users.set_status("nobody000000000", UserStatus.ACTIVE, updated=LATER) is None


async def test_token_key_is_replaced(users: UserRepository) -> None:
    user = a_user()
    await users.add_if_absent(user)
    new_key = "N" * 50

    changed = await users.set_token_key(user.pb_id, new_key, updated=LATER)

    assert changed is not None
    assert changed.token_key == new_key
    assert (await users.get(user.pb_id)) == changed
    assert await users.set_token_key("nobody000000000", new_key, updated=LATER) is None


async def test_a_deleted_user_is_gone_and_frees_openid_and_phone(users: UserRepository) -> None:
    user = a_user(openid="openid-1", phone="13800138000")
    await users.add_if_absent(user)

    assert await users.delete(user.pb_id)

    assert await users.get(user.pb_id) is None
    assert await users.get_by_openid("openid-1") is None
    assert not await users.delete(user.pb_id)
    again, created = await users.add_if_absent(a_user(openid="openid-1", phone="13800138000"))
    assert created
    assert again.pb_id != user.pb_id


async def test_the_count_follows_registrations_and_deletions_at_once(
    users: UserRepository,
) -> None:
    newcomers = [a_user() for _ in range(40)]

    await asyncio.gather(*(users.add_if_absent(user) for user in newcomers))
    assert await users.count() == 40

    await asyncio.gather(*(users.delete(user.pb_id) for user in newcomers[:15]))
    assert await users.count() == 25


async def test_a_registration_that_lost_to_another_is_not_counted(users: UserRepository) -> None:
    await asyncio.gather(*(users.add_if_absent(a_user(openid="one")) for _ in range(20)))

    assert await users.count() == 1
