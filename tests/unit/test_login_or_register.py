import asyncio

import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.login_code_ledger import InMemoryLoginCodeLedger
from bai.adapters.memory.session_store import InMemorySessionStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.authentication import Authenticator
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.entities import IdType, User, UserStatus
from bai.domain.errors import (
    AccountDisabled,
    LoginCodeRejected,
    StorageUnavailable,
    WeChatUnavailable,
)
from bai.domain.identities import Identity
from bai.domain.identity_matching import IdentityMatching
from bai.domain.session_keeping import SessionKeeping
from bai.domain.sessions import Session, SessionPolicy
from bai.domain.use_cases.login_or_register import LoginCommand, LoginOrRegister
from bai.domain.values import LoginCode
from bai.ports.login_code_ledger import Settlement
from tests.support.builders import a_user
from tests.support.fakes import TEST_APPS, FakeWeChatGateway, FixedClock


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


@pytest.mark.parametrize("known", [True, False], ids=["known-user", "new-user"])
async def test_wechats_answer_is_kept_by_the_sign_in_so_a_repeated_code_signs_in_again(
    login: LoginOrRegister, wechat: FakeWeChatGateway, known: bool
) -> None:
    if known:
        await login.execute(command(wechat.login_code("before", openid="openid-1")))
    first = await login.execute(command(wechat.login_code("code-1", openid="openid-1")))
    wechat.failing_code("code-1", LoginCodeRejected())  # WeChat has spent it

    again = await login.execute(command("code-1"))

    assert again.user.pb_id == first.user.pb_id


class FailingSignIn(InMemorySessionStore):
    """The sign-in's step fails once before it records anything, as a PostgreSQL statement
    that rolls back does."""

    failures = 1

    async def start_for_identity(
        self,
        appid: str,
        openid: str,
        session: Session,
        *,
        limit: int,
        settling: Settlement | None = None,
    ) -> tuple[Identity, User] | None:
        if self.failures:
            self.failures -= 1
            raise StorageUnavailable
        return await super().start_for_identity(
            appid, openid, session, limit=limit, settling=settling
        )


async def test_when_the_sign_in_step_fails_wechats_answer_is_kept_all_the_same(
    *,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    matching: IdentityMatching,
    authenticator: Authenticator,
    ledger: InMemoryLoginCodeLedger,
    tokens: PocketBaseTokenIssuer,
    clock: FixedClock,
) -> None:
    sessions = FailingSignIn(users, identities=identities, codes=ledger)
    keeping = SessionKeeping(
        sessions=sessions,
        tokens=tokens,
        ids=SecretsIdGenerator(),
        policy=SessionPolicy(),
        clock=clock,
    )
    login = LoginOrRegister(
        apps=TEST_APPS,
        codes=LoginCodeExchange(wechat=wechat, ledger=ledger),
        matching=matching,
        authenticator=authenticator,
        keeping=keeping,
        answer_with_sign_in=True,
    )
    wechat.login_code("code-1", openid="openid-1")
    with pytest.raises(StorageUnavailable):
        await login.execute(command("code-1"))
    wechat.failing_code("code-1", LoginCodeRejected())  # WeChat has spent it

    result = await login.execute(command("code-1"))

    assert result.registered
    assert await users.count() == 1
