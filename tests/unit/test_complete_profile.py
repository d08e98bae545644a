import asyncio

import pytest

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.entities import User, UserStatus
from bai.domain.errors import (
    AccountDisabled,
    InvalidToken,
    OpenidMissing,
    PhoneAlreadyBound,
    PhoneCodeRejected,
)
from bai.domain.use_cases.complete_profile import CompleteProfile, ProfileCommand, SavedProfile
from bai.domain.values import AvatarUrl, Nickname, PhoneCode
from tests.support.builders import a_platform_user, a_user
from tests.support.fakes import FakeWeChatGateway, FixedClock

AVATAR = "https://example.com/a.png"


def command(token: str | None, phone_code: str, name: str = "张三") -> ProfileCommand:
    return ProfileCommand(
        token=token,
        name=Nickname(name),
        phone_code=PhoneCode(phone_code),
        picture=AvatarUrl(AVATAR),
    )


async def stored(users: InMemoryUserRepository, user: User) -> User:
    await users.add_if_absent(user)
    return user


async def test_profile_is_saved_with_the_phone_wechat_verified(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
    clock: FixedClock,
) -> None:
    user = await stored(users, a_user())
    wechat.phone_code("phone-1", openid=user.openid, phone="13800138000")
    clock.advance(60)

    updated = (await complete_profile.execute(command(tokens.issue(user), "phone-1"))).user

    assert (updated.users_name, updated.users_phone, updated.users_picture) == (
        "张三",
        "13800138000",
        AVATAR,
    )
    assert updated.is_info_complete
    assert updated.updated == clock.now() != updated.created
    assert await users.get(user.pb_id) == updated


async def test_phone_code_of_another_user_is_rejected_and_changes_nothing(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
) -> None:
    user = await stored(users, a_user())
    wechat.phone_code("phone-1", openid="someone-else", phone="13800138000")

    with pytest.raises(PhoneCodeRejected):
        await complete_profile.execute(command(tokens.issue(user), "phone-1"))

    assert await users.get(user.pb_id) == user


async def test_phone_of_another_user_is_refused(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
) -> None:
    await stored(users, a_user(phone="13800138000"))
    user = await stored(users, a_user())
    wechat.phone_code("phone-1", openid=user.openid, phone="13800138000")

    with pytest.raises(PhoneAlreadyBound):
        await complete_profile.execute(command(tokens.issue(user), "phone-1"))

    assert (await users.get(user.pb_id)) == user


async def test_rebinding_ones_own_phone_is_fine(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
) -> None:
    user = await stored(users, a_user(phone="13800138000"))
    wechat.phone_code("phone-1", openid=user.openid, phone="13800138000")

    updated = (
        await complete_profile.execute(command(tokens.issue(user), "phone-1", name="新名字"))
    ).user

    assert updated.users_name == "新名字"


async def test_changing_phone_frees_the_old_number(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
) -> None:
    first = await stored(users, a_user(phone="13800000001"))
    second = await stored(users, a_user())
    wechat.phone_code("new-number", openid=first.openid, phone="13800000002")
    wechat.phone_code("old-number", openid=second.openid, phone="13800000001")

    await complete_profile.execute(command(tokens.issue(first), "new-number"))
    taken_over = (await complete_profile.execute(command(tokens.issue(second), "old-number"))).user

    assert taken_over.users_phone == "13800000001"


async def test_of_concurrent_claims_of_one_phone_exactly_one_wins(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
) -> None:
    claimants = [await stored(users, a_user()) for _ in range(2)]
    attempts = [
        complete_profile.execute(
            command(
                tokens.issue(user),
                wechat.phone_code(f"{user.pb_id}-{n}", openid=user.openid, phone="13900000000"),
            )
        )
        for user in claimants
        for n in range(10)
    ]

    outcomes = await asyncio.gather(*attempts, return_exceptions=True)

    winners = {outcome.user.pb_id for outcome in outcomes if isinstance(outcome, SavedProfile)}
    assert len(winners) == 1
    assert all(isinstance(o, SavedProfile | PhoneAlreadyBound) for o in outcomes)
    owners = [u for u in claimants if (await users.get(u.pb_id)).users_phone == "13900000000"]  # type: ignore[union-attr]
    assert [owner.pb_id for owner in owners] == list(winners)


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
async def test_missing_or_malformed_token_is_refused(
    complete_profile: CompleteProfile, wechat: FakeWeChatGateway, token: str | None
) -> None:
    with pytest.raises(InvalidToken):
        await complete_profile.execute(command(token, "phone-1"))
    assert wechat.calls == 0


async def test_token_of_a_deleted_user_is_refused(
    complete_profile: CompleteProfile, tokens: PocketBaseTokenIssuer
) -> None:
    with pytest.raises(InvalidToken):
        await complete_profile.execute(command(tokens.issue(a_user()), "phone-1"))


async def test_disabled_user_cannot_update_profile(
    complete_profile: CompleteProfile, users: InMemoryUserRepository, tokens: PocketBaseTokenIssuer
) -> None:
    user = await stored(users, a_user(status=UserStatus.DISABLED))

    with pytest.raises(AccountDisabled):
        await complete_profile.execute(command(tokens.issue(user), "phone-1"))


async def test_user_without_openid_cannot_prove_a_phone(
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
) -> None:
    user = await stored(users, a_platform_user())

    with pytest.raises(OpenidMissing):
        await complete_profile.execute(command(tokens.issue(user), "phone-1"))
    assert wechat.calls == 0
