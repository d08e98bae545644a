import asyncio

import pytest

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.entities import IdType, UserStatus
from bai.domain.errors import AccountDisabled, LoginCodeRejected, WeChatUnavailable
from bai.domain.use_cases.login_or_register import LoginCommand, LoginOrRegister
from bai.domain.values import LoginCode
from tests.support.builders import a_user
from tests.support.fakes import FakeWeChatGateway, FixedClock


def command(code: str) -> LoginCommand:
    return LoginCommand(code=LoginCode(code))


async def test_first_login_registers_an_active_wechat_user(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    clock: FixedClock,
) -> None:
    wechat.login_code("code-1", openid="openid-1", unionid="union-1")

    result = await login.execute(command("code-1"))

    assert result.registered
    stored = await users.get_by_openid("openid-1")
    assert stored == result.user
    assert stored.users_idtype is IdType.WECHAT
    assert stored.users_status is UserStatus.ACTIVE
    assert stored.unionid == "union-1"
    assert stored.created == stored.updated == clock.now()
    assert len(stored.users_promo_code) == 8
    assert stored.users_id.isdigit()
    assert not result.user.is_info_complete


async def test_existing_openid_logs_in_without_creating_a_user(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    wechat.login_code("first", openid="openid-1")
    wechat.login_code("second", openid="openid-1")
    registered = await login.execute(command("first"))

    again = await login.execute(command("second"))

    assert not again.registered
    assert again.user.pb_id == registered.user.pb_id
    assert await users.count() == 1


async def test_login_token_authenticates_the_user(
    login: LoginOrRegister, wechat: FakeWeChatGateway, tokens: PocketBaseTokenIssuer
) -> None:
    wechat.login_code("code-1", openid="openid-1")

    result = await login.execute(command("code-1"))

    assert (tokens.claimed(result.token) or ("", ""))[0] == result.user.pb_id
    assert tokens.is_valid(result.token, result.user)


async def test_concurrent_first_logins_create_one_user_and_all_succeed(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    codes = [wechat.login_code(f"code-{n}", openid="same-openid") for n in range(50)]

    results = await asyncio.gather(*(login.execute(command(code)) for code in codes))

    assert await users.count() == 1
    assert len({result.user.pb_id for result in results}) == 1
    assert sum(result.registered for result in results) == 1


async def test_rejected_code_creates_nobody(
    login: LoginOrRegister, users: InMemoryUserRepository
) -> None:
    with pytest.raises(LoginCodeRejected):
        await login.execute(command("unknown-code"))

    assert await users.count() == 0


async def test_wechat_outage_creates_nobody(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    wechat.failing_code("code-1", WeChatUnavailable())

    with pytest.raises(WeChatUnavailable):
        await login.execute(command("code-1"))

    assert await users.count() == 0


async def test_disabled_user_gets_no_token(
    login: LoginOrRegister, wechat: FakeWeChatGateway, users: InMemoryUserRepository
) -> None:
    await users.add_if_absent(a_user(openid="openid-1", status=UserStatus.DISABLED))
    wechat.login_code("code-1", openid="openid-1")

    with pytest.raises(AccountDisabled):
        await login.execute(command("code-1"))
