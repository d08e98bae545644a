import pytest

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.entities import User, UserStatus
from bai.domain.errors import AccountDisabled, InvalidToken, RefreshCodeRejected, UserNotFound
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.refresh_token import RefreshCommand, RefreshToken
from bai.domain.values import LoginCode
from tests.support.builders import a_user
from tests.support.fakes import FakeWeChatGateway, FixedClock
from tests.support.forgery import HEADER, claims_for, sign
from tests.unit.conftest import SECRET


def key(user: User) -> str:
    return user.token_key + SECRET


def command(token: str | None = None, code: str | None = None) -> RefreshCommand:
    return RefreshCommand(token=token, code=LoginCode(code) if code else None)


async def test_valid_token_is_renewed_without_asking_wechat(
    stored_user: User,
    refresh: RefreshToken,
    tokens: PocketBaseTokenIssuer,
    wechat: FakeWeChatGateway,
    clock: FixedClock,
) -> None:
    user = stored_user
    old = tokens.issue(user)
    clock.advance(10)

    new = (await refresh.execute(command(old, code="ignored"))).token

    assert new != old
    assert tokens.is_valid(new, user)
    assert wechat.calls == 0


async def test_expired_token_falls_back_to_the_login_code(
    stored_user: User,
    refresh: RefreshToken,
    tokens: PocketBaseTokenIssuer,
    wechat: FakeWeChatGateway,
    clock: FixedClock,
) -> None:
    user = stored_user
    expired = tokens.issue(user)
    clock.advance(3601)

    renewal = await refresh.execute(
        command(expired, code=wechat.login_code("code-1", openid=user.openid))
    )
    new = renewal.token
    assert renewal.user == user

    assert (tokens.claimed(new) or ("", ""))[0] == user.pb_id
    assert tokens.is_valid(new, user)


@pytest.mark.parametrize("token", [None, "garbage"])
async def test_no_valid_token_and_no_code_is_refused(
    refresh: RefreshToken, token: str | None
) -> None:
    with pytest.raises(InvalidToken):
        await refresh.execute(command(token))


async def test_rejected_code_is_a_bad_request(refresh: RefreshToken) -> None:
    with pytest.raises(RefreshCodeRejected):
        await refresh.execute(command(code="unknown-code"))


async def test_refresh_never_registers(
    refresh: RefreshToken, wechat: FakeWeChatGateway, count_users: CountUsers
) -> None:
    with pytest.raises(UserNotFound):
        await refresh.execute(command(code=wechat.login_code("code-1", openid="nobody")))
    assert await count_users.execute() == 0


async def test_disabled_user_is_refused_by_token(
    refresh: RefreshToken, users: InMemoryUserRepository, tokens: PocketBaseTokenIssuer
) -> None:
    user = a_user(status=UserStatus.DISABLED)
    await users.add_if_absent(user)

    with pytest.raises(AccountDisabled):
        await refresh.execute(command(tokens.issue(user)))


async def test_disabled_user_is_refused_by_code(
    refresh: RefreshToken, users: InMemoryUserRepository, wechat: FakeWeChatGateway
) -> None:
    user = a_user(status=UserStatus.DISABLED)
    await users.add_if_absent(user)

    with pytest.raises(AccountDisabled):
        await refresh.execute(command(code=wechat.login_code("code-1", openid=user.openid)))


async def test_a_token_that_is_not_refreshable_is_handed_back_unchanged(
    stored_user: User, refresh: RefreshToken, wechat: FakeWeChatGateway, clock: FixedClock
) -> None:
    static = sign(HEADER, claims_for(stored_user, clock, 60, refreshable=False), key(stored_user))
    clock.advance(10)

    renewal = await refresh.execute(command(static))

    assert (renewal.user, renewal.token) == (stored_user, static)
    assert wechat.calls == 0


async def test_a_token_that_is_not_refreshable_gives_way_to_a_login_code(
    stored_user: User,
    refresh: RefreshToken,
    tokens: PocketBaseTokenIssuer,
    wechat: FakeWeChatGateway,
    clock: FixedClock,
) -> None:
    static = sign(HEADER, claims_for(stored_user, clock, 60, refreshable=False), key(stored_user))
    code = wechat.login_code("code-1", openid=stored_user.openid)

    renewal = await refresh.execute(command(static, code=code))

    assert renewal.token != static
    assert tokens.is_refreshable(renewal.token)
