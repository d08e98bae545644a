"""SPEC "Sessions and sign-out" on the memory stores: a token names its session; sign-out ends
one or all; renewal never outlives the absolute lifetime; operators' actions end sessions."""

import base64
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.adapters.memory.session_store import InMemorySessionStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens import compact_hs256
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.authentication import Authenticator
from bai.domain.entities import User
from bai.domain.errors import InvalidToken
from bai.domain.session_keeping import SessionKeeping
from bai.domain.sessions import SessionPolicy
from bai.domain.use_cases.account_actions import DisableUser, RevokeSessions
from bai.domain.use_cases.login_or_register import LoginCommand, LoginOrRegister
from bai.domain.use_cases.refresh_token import RefreshCommand, RefreshToken
from bai.domain.use_cases.sign_out import Ended, ListSessions, Logout, LogoutAll
from bai.domain.values import LoginCode
from tests.support.builders import a_user
from tests.support.fakes import SECOND_APP, TEST_APP, FakeWeChatGateway, FixedClock

_codes = iter(range(10**6))


def claims(token: str) -> dict[str, object]:
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=="))
    return decoded


async def sign_in(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    *,
    openid: str = "o-1",
    app: str = TEST_APP,
    user_agent: str | None = "device",
    token: str | None = None,
) -> tuple[User, str]:
    code = wechat.login_code(f"code-{next(_codes)}", openid=openid, app=app)
    command = LoginCommand(LoginCode(code), app=app, user_agent=user_agent, token=token)
    result = await login.execute(command)
    return result.user, result.token


@pytest.fixture
def policy() -> SessionPolicy:
    """A lifetime of 90 minutes, with tokens of 60 (the unit tests' TTL)."""
    return SessionPolicy(max_age=timedelta(minutes=90), limit=10, retention=timedelta(days=1))


@pytest.fixture
def logout(authenticator: Authenticator, keeping: SessionKeeping, revoke: RevokeSessions) -> Logout:
    return Logout(authenticator=authenticator, keeping=keeping, revoke=revoke)


@pytest.fixture
def revoke(
    users: InMemoryUserRepository, sessions: InMemorySessionStore, clock: FixedClock
) -> RevokeSessions:
    return RevokeSessions(users=users, sessions=sessions, ids=SecretsIdGenerator(), clock=clock)


@pytest.fixture
def list_sessions(authenticator: Authenticator, keeping: SessionKeeping) -> ListSessions:
    return ListSessions(authenticator=authenticator, keeping=keeping)


async def test_a_sign_in_begins_a_session_its_token_names(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    sessions: InMemorySessionStore,
    clock: FixedClock,
) -> None:
    user, token = await sign_in(login, wechat, app=SECOND_APP, user_agent="UA\x00" + "x" * 300)

    sid = claims(token)["sid"]
    assert list(claims(token)) == ["collectionId", "exp", "id", "refreshable", "sid", "type"]
    session = await sessions.find(str(sid))
    assert session is not None
    assert (session.pb_id, session.app, session.created) == (user.pb_id, SECOND_APP, clock.now())
    assert session.user_agent == "UA" + "x" * 198  # printable, 200 characters at most


async def test_logout_ends_only_its_session(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    logout: Logout,
    authenticator: Authenticator,
    refresh: RefreshToken,
) -> None:
    _, phone = await sign_in(login, wechat)
    _, tablet = await sign_in(login, wechat)

    assert await logout.execute(phone) is Ended.THIS

    assert await authenticator.bearer(phone) is None
    assert await authenticator.bearer(tablet) is not None
    with pytest.raises(InvalidToken):
        await refresh.execute(RefreshCommand(phone, None))
    code = wechat.login_code("again", openid="o-1")
    renewed = await refresh.execute(RefreshCommand(phone, LoginCode(code)))  # the code's way
    assert claims(renewed.token)["sid"] not in {claims(phone)["sid"], claims(tablet)["sid"]}


async def test_a_token_without_session_logs_out_everything(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    logout: Logout,
    authenticator: Authenticator,
    tokens: PocketBaseTokenIssuer,
) -> None:
    user, phone = await sign_in(login, wechat)
    legacy = tokens.issue(user)  # as PocketBase issues it

    assert await logout.execute(legacy) is Ended.ALL

    assert await authenticator.bearer(legacy) is None
    assert await authenticator.bearer(phone) is None


async def test_logout_all_ends_every_session(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    authenticator: Authenticator,
    revoke: RevokeSessions,
    keeping: SessionKeeping,
) -> None:
    user, phone = await sign_in(login, wechat)
    _, tablet = await sign_in(login, wechat)

    ended = await LogoutAll(authenticator=authenticator, revoke=revoke).execute(tablet)

    assert ended is Ended.ALL
    assert await authenticator.bearer(phone) is None
    assert await authenticator.bearer(tablet) is None
    assert await keeping.open_of(user.pb_id) == []


async def test_the_list_shows_open_sessions_newest_first_and_the_callers(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    list_sessions: ListSessions,
    logout: Logout,
    clock: FixedClock,
) -> None:
    _, first = await sign_in(login, wechat, user_agent="first")
    clock.advance(1)
    await sign_in(login, wechat, user_agent="second")
    clock.advance(1)
    _, third = await sign_in(login, wechat, user_agent="third")
    await logout.execute(third)

    listed = await list_sessions.execute(first)

    assert [s.user_agent for s in listed.sessions] == ["second", "first"]
    assert listed.current == claims(first)["sid"]


async def test_renewal_keeps_the_session_and_never_outlives_it(
    *,
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    refresh: RefreshToken,
    sessions: InMemorySessionStore,
    clock: FixedClock,
    policy: SessionPolicy,
) -> None:
    _, token = await sign_in(login, wechat)
    began = clock.now()
    clock.advance(50 * 60)  # 40 minutes of its lifetime left, less than a token's 60

    renewed = (await refresh.execute(RefreshCommand(token, None))).token

    assert claims(renewed)["sid"] == claims(token)["sid"]
    assert claims(renewed)["exp"] == int((began + policy.max_age).timestamp())
    session = await sessions.find(str(claims(token)["sid"]))
    assert session is not None
    assert session.renewed == clock.now()


async def test_renewed_is_kept_to_the_minute(
    *,
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    refresh: RefreshToken,
    sessions: InMemorySessionStore,
    clock: FixedClock,
) -> None:
    _, token = await sign_in(login, wechat)
    began = clock.now()
    sid = str(claims(token)["sid"])

    clock.advance(59)
    within = (await refresh.execute(RefreshCommand(token, None))).token
    first = await sessions.find(sid)
    clock.advance(1)
    await refresh.execute(RefreshCommand(within, None))
    second = await sessions.find(sid)

    assert claims(within)["sid"] == sid  # a renewal all the same, of the same session
    assert first is not None
    assert first.renewed == began  # nothing written within the minute
    assert second is not None
    assert second.renewed == clock.now()


async def test_past_its_lifetime_renewal_by_token_is_refused_and_a_code_begins_anew(
    *,
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    refresh: RefreshToken,
    clock: FixedClock,
    policy: SessionPolicy,
    tokens: PocketBaseTokenIssuer,
) -> None:
    user, token = await sign_in(login, wechat)
    clock.advance(50 * 60)
    last = (await refresh.execute(RefreshCommand(token, None))).token
    clock.advance(40 * 60 + 1)  # past the lifetime, and the last token's expiry with it

    with pytest.raises(InvalidToken):
        await refresh.execute(RefreshCommand(last, None))
    code = LoginCode(wechat.login_code("fresh", openid="o-1"))
    fresh = (await refresh.execute(RefreshCommand(last, code))).token

    assert claims(fresh)["sid"] != claims(token)["sid"]
    assert tokens.is_valid(fresh, user)


async def test_a_sign_in_with_a_bearer_of_the_same_user_ends_that_bearers_session(
    login: LoginOrRegister, wechat: FakeWeChatGateway, authenticator: Authenticator
) -> None:
    _, old = await sign_in(login, wechat)
    _, other_user = await sign_in(login, wechat, openid="o-2")

    _, new = await sign_in(login, wechat, token=old)
    _, mine = await sign_in(login, wechat, token=other_user)  # another user's: left alone

    assert await authenticator.bearer(old) is None
    assert await authenticator.bearer(new) is not None
    assert await authenticator.bearer(other_user) is not None
    assert await authenticator.bearer(mine) is not None


async def test_beyond_the_limit_the_oldest_session_ends(
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    authenticator: Authenticator,
    clock: FixedClock,
    policy: SessionPolicy,
) -> None:
    tokens = []
    for _ in range(policy.limit + 1):
        tokens.append((await sign_in(login, wechat))[1])
        clock.advance(1)

    assert await authenticator.bearer(tokens[0]) is None
    assert all([await authenticator.bearer(token) is not None for token in tokens[1:]])


async def test_disable_and_revoke_end_every_session(
    *,
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    sessions: InMemorySessionStore,
    keeping: SessionKeeping,
    revoke: RevokeSessions,
    clock: FixedClock,
) -> None:
    disabled, _ = await sign_in(login, wechat)
    revoked, _ = await sign_in(login, wechat, openid="o-2")

    await DisableUser(users=users, sessions=sessions, clock=clock).execute(disabled.pb_id)
    await revoke.execute(revoked.pb_id)

    assert await keeping.open_of(disabled.pb_id) == []
    assert await keeping.open_of(revoked.pb_id) == []


async def test_the_sweep_removes_what_is_past_its_retention(
    *,
    login: LoginOrRegister,
    wechat: FakeWeChatGateway,
    logout: Logout,
    keeping: SessionKeeping,
    sessions: InMemorySessionStore,
    clock: FixedClock,
    policy: SessionPolicy,
) -> None:
    _, ended = await sign_in(login, wechat)
    await logout.execute(ended)
    _, kept = await sign_in(login, wechat)
    clock.advance(policy.retention.total_seconds() + 1)

    assert await keeping.sweep() == 1

    assert await sessions.find(str(claims(ended)["sid"])) is None
    assert await sessions.find(str(claims(kept)["sid"])) is not None


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sid=st.one_of(
        st.text(max_size=40),
        st.integers(),
        st.none(),
        st.booleans(),
        st.lists(st.text(max_size=3), max_size=2),
    )
)
async def test_a_forged_or_mangled_sid_is_refused_never_an_error(
    sid: object,
    authenticator: Authenticator,
    logout: Logout,
    tokens: PocketBaseTokenIssuer,
    users: InMemoryUserRepository,
) -> None:
    user = a_user()
    await users.add_if_absent(user)
    real = tokens.issue(user, session="s00000000000001")
    body = claims(real) | {"sid": sid}
    forged = compact_hs256.sign(json.dumps(body).encode(), (user.token_key + "x" * 40).encode())

    assert await authenticator.bearer(forged) is None
    with pytest.raises(InvalidToken):
        await logout.execute(forged)
