"""SPEC "Several mini-programs, one user": which app, and who signs in (rules 1-3), on the
memory stores with a fake WeChat that binds each code to the app that minted it."""

import asyncio
from dataclasses import replace

import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.entities import UserStatus
from bai.domain.errors import (
    AccountDisabled,
    LoginCodeRejected,
    OpenidMissing,
    PhoneCodeRejected,
    UnknownApp,
    UserNotFound,
)
from bai.domain.identities import ConflictKind, ConflictState
from bai.domain.use_cases.complete_profile import CompleteProfile, ProfileCommand
from bai.domain.use_cases.login_or_register import LoginCommand, LoginOrRegister
from bai.domain.use_cases.refresh_token import RefreshCommand, RefreshToken
from bai.domain.values import AvatarUrl, LoginCode, Nickname, PhoneCode
from tests.support.builders import a_user
from tests.support.fakes import SECOND_APP, TEST_APP, FakeWeChatGateway

SHOP, CARD = TEST_APP, SECOND_APP  # the primary, and another app


def at(app: str | None, code: str) -> LoginCommand:
    return LoginCommand(code=LoginCode(code), app=app)


async def test_the_named_app_is_asked_and_no_name_is_the_primary(
    login: LoginOrRegister, wechat: FakeWeChatGateway
) -> None:
    wechat.login_code("c1", openid="o-card", app=CARD)
    wechat.login_code("c2", openid="o-shop", app=SHOP)

    await login.execute(at(CARD, "c1"))
    await login.execute(at(None, "c2"))

    assert wechat.apps_asked == [CARD, SHOP]


async def test_an_unknown_app_is_refused_before_wechat_is_asked(
    login: LoginOrRegister, refresh: RefreshToken, wechat: FakeWeChatGateway
) -> None:
    wechat.login_code("c", openid="o")

    with pytest.raises(UnknownApp):
        await login.execute(at("wxunknown0000000", "c"))
    with pytest.raises(UnknownApp):
        await refresh.execute(RefreshCommand(None, LoginCode("c"), app="wxunknown0000000"))
    assert wechat.calls == 0


async def test_a_code_sent_with_another_apps_credentials_is_refused(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    wechat.login_code("c", openid="o-shop", app=SHOP)

    with pytest.raises(LoginCodeRejected):
        await login.execute(at(CARD, "c"))
    assert await users.count() == 0


async def test_one_person_in_two_apps_is_one_user(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-shop", unionid="u-1", app=SHOP)
    wechat.login_code("c2", openid="o-card", unionid="u-1", app=CARD)
    first = await login.execute(at(SHOP, "c1"))

    second = await login.execute(at(CARD, "c2"))

    assert first.registered
    assert not second.registered
    assert second.user.pb_id == first.user.pb_id
    assert await users.count() == 1
    linked = await identities.identities_of(first.user.pb_id)
    assert [(i.appid, i.openid) for i in linked] == sorted([(SHOP, "o-shop"), (CARD, "o-card")])
    assert second.user.openid == "o-shop"  # the primary app's, as tbl_auth_users.openid meant


async def test_a_user_first_met_in_another_app_gets_the_primary_openid_later(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    wechat.login_code("c1", openid="o-card", unionid="u-1", app=CARD)
    wechat.login_code("c2", openid="o-shop", unionid="u-1", app=SHOP)
    first = await login.execute(at(CARD, "c1"))
    assert first.user.openid == ""

    second = await login.execute(at(SHOP, "c2"))

    assert second.user.pb_id == first.user.pb_id
    assert second.user.openid == "o-shop"
    assert await users.get_by_openid("o-shop") == second.user


async def test_without_unionid_two_apps_make_two_users(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    wechat.login_code("c1", openid="o-shop", app=SHOP)
    wechat.login_code("c2", openid="o-card", app=CARD)

    first, second = await login.execute(at(SHOP, "c1")), await login.execute(at(CARD, "c2"))

    assert first.registered
    assert second.registered
    assert await users.count() == 2


async def test_a_unionid_given_later_is_kept_and_links_the_next_app(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    wechat.login_code("c1", openid="o-shop", app=SHOP)
    wechat.login_code("c2", openid="o-shop", unionid="u-1", app=SHOP)
    wechat.login_code("c3", openid="o-card", unionid="u-1", app=CARD)
    first = await login.execute(at(SHOP, "c1"))

    await login.execute(at(SHOP, "c2"))
    third = await login.execute(at(CARD, "c3"))

    assert (await users.get(first.user.pb_id)).unionid == "u-1"  # type: ignore[union-attr]
    assert third.user.pb_id == first.user.pb_id
    assert await users.count() == 1


async def test_another_users_unionid_is_a_conflict_and_nobody_is_merged(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-shop", app=SHOP)  # no unionid yet
    wechat.login_code("c2", openid="o-card", unionid="u-1", app=CARD)
    shop_user = (await login.execute(at(SHOP, "c1"))).user
    card_user = (await login.execute(at(CARD, "c2"))).user
    wechat.login_code("c3", openid="o-shop", unionid="u-1", app=SHOP)

    again = await login.execute(at(SHOP, "c3"))
    wechat.login_code("c4", openid="o-shop", unionid="u-1", app=SHOP)
    await login.execute(at(SHOP, "c4"))  # met again: still one conflict

    assert again.user.pb_id == shop_user.pb_id  # the exact match signs in
    assert (await users.get(shop_user.pb_id)).unionid == ""  # type: ignore[union-attr]
    assert await users.count() == 2
    [conflict] = await identities.conflicts()
    assert conflict.kind is ConflictKind.UNIONID_TAKEN
    assert (conflict.appid, conflict.openid, conflict.unionid) == (SHOP, "o-shop", "u-1")
    assert (conflict.pb_id, conflict.other_pb_id) == (shop_user.pb_id, card_user.pb_id)
    assert conflict.state is ConflictState.OPEN


async def test_a_changed_unionid_is_a_conflict_and_the_user_keeps_its_own(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-shop", unionid="u-1", app=SHOP)
    wechat.login_code("c2", openid="o-shop", unionid="u-2", app=SHOP)
    user = (await login.execute(at(SHOP, "c1"))).user

    again = await login.execute(at(SHOP, "c2"))

    assert again.user.pb_id == user.pb_id
    assert (await users.get(user.pb_id)).unionid == "u-1"  # type: ignore[union-attr]
    [conflict] = await identities.conflicts()
    assert (conflict.kind, conflict.other_pb_id) == (ConflictKind.UNIONID_CHANGED, "")


async def test_a_disabled_user_reached_through_another_app_is_refused_and_nothing_made(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-shop", unionid="u-1", app=SHOP)
    user = (await login.execute(at(SHOP, "c1"))).user
    await users.set_status(user.pb_id, UserStatus.DISABLED, updated=user.updated)
    wechat.login_code("c2", openid="o-card", unionid="u-1", app=CARD)

    with pytest.raises(AccountDisabled):
        await login.execute(at(CARD, "c2"))

    assert await users.count() == 1
    assert await identities.find(CARD, "o-card") is None


async def test_concurrent_first_logins_of_one_person_in_two_apps_make_one_user(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    for n in range(20):
        app = SHOP if n % 2 else CARD
        wechat.login_code(f"c{n}", openid=f"o-{app}", unionid="u-1", app=app)

    results = await asyncio.gather(
        *(login.execute(at(SHOP if n % 2 else CARD, f"c{n}")) for n in range(20))
    )

    assert len({result.user.pb_id for result in results}) == 1
    assert sum(result.registered for result in results) == 1
    assert await users.count() == 1


async def test_a_user_made_before_identities_is_found_by_its_openid_and_adopted(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    older = a_user(openid="o-shop")
    await users.add_if_absent(older)
    wechat.login_code("c", openid="o-shop", app=SHOP)

    result = await login.execute(at(None, "c"))

    assert not result.registered
    assert result.user.pb_id == older.pb_id
    assert await identities.find(SHOP, "o-shop") is not None


async def test_refresh_by_code_in_another_app_links_but_never_registers(
    login: LoginOrRegister, refresh: RefreshToken, wechat: FakeWeChatGateway
) -> None:
    wechat.login_code("c1", openid="o-shop", unionid="u-1", app=SHOP)
    wechat.login_code("c2", openid="o-card", unionid="u-1", app=CARD)
    wechat.login_code("c3", openid="o-stranger", app=CARD)
    user = (await login.execute(at(SHOP, "c1"))).user

    renewed = await refresh.execute(RefreshCommand(None, LoginCode("c2"), app=CARD))

    assert renewed.user.pb_id == user.pb_id
    with pytest.raises(UserNotFound):
        await refresh.execute(RefreshCommand(None, LoginCode("c3"), app=CARD))


def profile(token: str, code: str, app: str | None) -> ProfileCommand:
    return ProfileCommand(
        token=token,
        name=Nickname("小明"),
        phone_code=PhoneCode(code),
        picture=AvatarUrl("https://example.com/a.png"),
        app=app,
    )


async def test_the_phone_is_asked_with_the_sessions_app_and_its_openid(
    login: LoginOrRegister, complete_profile: CompleteProfile, wechat: FakeWeChatGateway
) -> None:
    wechat.login_code("c1", openid="o-card", app=CARD)
    signed_in = await login.execute(at(CARD, "c1"))
    wechat.phone_code("p-card", openid="o-card", phone="13800138000", app=CARD)
    wechat.phone_code("p-shop", openid="o-card", phone="13800138001", app=SHOP)

    with pytest.raises(PhoneCodeRejected):  # minted by another app than the session's
        await complete_profile.execute(profile(signed_in.token, "p-shop", SHOP))
    saved = await complete_profile.execute(profile(signed_in.token, "p-card", None))

    assert saved.user.users_phone == "13800138000"
    assert saved.openid == "o-card"  # the app's, answered to it
    assert wechat.apps_asked[-1] == CARD


async def test_a_user_holding_the_unionid_is_given_the_new_apps_identity(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
) -> None:
    holder = replace(a_user(), unionid="u-1")
    await users.add_if_absent(holder)
    wechat.login_code("c", openid="o-card", unionid="u-1", app=CARD)

    result = await login.execute(at(CARD, "c"))

    assert result.user.pb_id == holder.pb_id


async def test_a_unionid_held_by_a_user_since_deleted_is_given_at_the_next_sign_in(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-shop", app=SHOP)
    wechat.login_code("c2", openid="o-card", unionid="u-1", app=CARD)
    shop_user = (await login.execute(at(SHOP, "c1"))).user
    card_user = (await login.execute(at(CARD, "c2"))).user
    wechat.login_code("c3", openid="o-shop", unionid="u-1", app=SHOP)
    await login.execute(at(SHOP, "c3"))  # a conflict: u-1 is the card user's
    await users.delete(card_user.pb_id)
    wechat.login_code("c4", openid="o-shop", unionid="u-1", app=SHOP)
    wechat.login_code("c5", openid="o-card-2", unionid="u-1", app=CARD)

    await login.execute(at(SHOP, "c4"))
    later = await login.execute(at(CARD, "c5"))

    assert (await users.get(shop_user.pb_id)).unionid == "u-1"  # type: ignore[union-attr]
    assert later.user.pb_id == shop_user.pb_id  # no second user for the same person
    assert len(await identities.conflicts()) == 1


async def test_a_refresh_meeting_the_unionids_user_with_another_openid_in_the_app_is_404(
    login: LoginOrRegister,
    refresh: RefreshToken,
    wechat: FakeWeChatGateway,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-card", unionid="u-1", app=CARD)
    wechat.login_code("c2", openid="o-card-other", unionid="u-1", app=CARD)
    await login.execute(at(CARD, "c1"))

    with pytest.raises(UserNotFound):
        await refresh.execute(RefreshCommand(None, LoginCode("c2"), app=CARD))
    assert await identities.find(CARD, "o-card-other") is None


async def test_a_login_meeting_the_unionids_user_with_another_openid_in_the_app_is_a_new_user(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
) -> None:
    wechat.login_code("c1", openid="o-card", unionid="u-1", app=CARD)
    wechat.login_code("c2", openid="o-card-other", unionid="u-1", app=CARD)
    first = await login.execute(at(CARD, "c1"))

    second = await login.execute(at(CARD, "c2"))

    assert second.registered
    assert second.user.unionid == ""
    assert await users.count() == 2
    [conflict] = await identities.conflicts()
    assert (conflict.pb_id, conflict.other_pb_id) == (second.user.pb_id, first.user.pb_id)


async def test_a_token_without_session_asks_the_phone_with_the_named_app_else_the_primary(
    login: LoginOrRegister,
    complete_profile: CompleteProfile,
    wechat: FakeWeChatGateway,
    tokens: PocketBaseTokenIssuer,
) -> None:
    wechat.login_code("c1", openid="o-card", app=CARD)
    user = (await login.execute(at(CARD, "c1"))).user
    token = tokens.issue(user)  # as PocketBase issues it: no session
    wechat.phone_code("p-card", openid="o-card", phone="13800138000", app=CARD)

    with pytest.raises(OpenidMissing):  # no identity in the primary app
        await complete_profile.execute(profile(token, "p-card", None))
    saved = await complete_profile.execute(profile(token, "p-card", CARD))

    assert saved.openid == "o-card"
