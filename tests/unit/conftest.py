import pytest

from bai.adapters.memory.identity_store import InMemoryIdentityStore
from bai.adapters.memory.login_code_ledger import InMemoryLoginCodeLedger
from bai.adapters.memory.push_event_store import InMemoryPushEventStore
from bai.adapters.memory.session_store import InMemorySessionStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import DEFAULT_COLLECTION_ID, PocketBaseTokenIssuer
from bai.domain.authentication import Authenticator
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.entities import User
from bai.domain.identity_matching import IdentityMatching
from bai.domain.session_keeping import SessionKeeping
from bai.domain.sessions import SessionPolicy
from bai.domain.use_cases.complete_profile import CompleteProfile
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.login_or_register import LoginOrRegister
from bai.domain.use_cases.refresh_token import RefreshToken
from tests.support.builders import a_user
from tests.support.fakes import TEST_APPS, FakeWeChatGateway, FixedClock
from tests.support.wechat_script import gateway, monotonic, script

__all__ = ["gateway", "monotonic", "script"]
SECRET = "unit-test-collection-secret-0123456789"
TTL = 3600


@pytest.fixture
def users() -> InMemoryUserRepository:
    return InMemoryUserRepository()


@pytest.fixture
def tokens(clock: FixedClock) -> PocketBaseTokenIssuer:
    return PocketBaseTokenIssuer(
        secret=SECRET, collection_id=DEFAULT_COLLECTION_ID, ttl_seconds=TTL, clock=clock
    )


@pytest.fixture
def ledger(clock: FixedClock) -> InMemoryLoginCodeLedger:
    return InMemoryLoginCodeLedger(clock=clock)


@pytest.fixture
def sessions(
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    ledger: InMemoryLoginCodeLedger,
) -> InMemorySessionStore:
    return InMemorySessionStore(users, identities=identities, codes=ledger)


@pytest.fixture
def policy() -> SessionPolicy:
    return SessionPolicy()


@pytest.fixture
def authenticator(
    users: InMemoryUserRepository,
    sessions: InMemorySessionStore,
    tokens: PocketBaseTokenIssuer,
    policy: SessionPolicy,
    clock: FixedClock,
) -> Authenticator:
    return Authenticator(users=users, sessions=sessions, tokens=tokens, policy=policy, clock=clock)


@pytest.fixture
def keeping(
    sessions: InMemorySessionStore,
    tokens: PocketBaseTokenIssuer,
    policy: SessionPolicy,
    clock: FixedClock,
) -> SessionKeeping:
    return SessionKeeping(
        sessions=sessions, tokens=tokens, ids=SecretsIdGenerator(), policy=policy, clock=clock
    )


@pytest.fixture
def events() -> InMemoryPushEventStore:
    """WeChat's push events received."""
    return InMemoryPushEventStore()


@pytest.fixture
def identities(users: InMemoryUserRepository) -> InMemoryIdentityStore:
    return InMemoryIdentityStore(users)


@pytest.fixture
def matching(
    identities: InMemoryIdentityStore, users: InMemoryUserRepository, clock: FixedClock
) -> IdentityMatching:
    return IdentityMatching(
        identities=identities, users=users, apps=TEST_APPS, ids=SecretsIdGenerator(), clock=clock
    )


@pytest.fixture
def login(
    wechat: FakeWeChatGateway,
    matching: IdentityMatching,
    authenticator: Authenticator,
    keeping: SessionKeeping,
    ledger: InMemoryLoginCodeLedger,
) -> LoginOrRegister:
    """As served with the storage's own ledger: WeChat's answer recorded by the sign-in."""
    return LoginOrRegister(
        apps=TEST_APPS,
        codes=LoginCodeExchange(wechat=wechat, ledger=ledger),
        matching=matching,
        authenticator=authenticator,
        keeping=keeping,
        answer_with_sign_in=True,
    )


@pytest.fixture
def complete_profile(
    authenticator: Authenticator,
    wechat: FakeWeChatGateway,
    users: InMemoryUserRepository,
    identities: InMemoryIdentityStore,
    clock: FixedClock,
) -> CompleteProfile:
    return CompleteProfile(
        apps=TEST_APPS,
        authenticator=authenticator,
        wechat=wechat,
        users=users,
        identities=identities,
        clock=clock,
    )


@pytest.fixture
def refresh(
    *,
    authenticator: Authenticator,
    wechat: FakeWeChatGateway,
    matching: IdentityMatching,
    keeping: SessionKeeping,
    tokens: PocketBaseTokenIssuer,
    clock: FixedClock,
) -> RefreshToken:
    codes = LoginCodeExchange(wechat=wechat, ledger=InMemoryLoginCodeLedger(clock=clock))
    return RefreshToken(
        apps=TEST_APPS,
        authenticator=authenticator,
        codes=codes,
        matching=matching,
        keeping=keeping,
        tokens=tokens,
    )


@pytest.fixture
def count_users(users: InMemoryUserRepository, clock: FixedClock) -> CountUsers:
    return CountUsers(users=users)


@pytest.fixture
async def stored_user(users: InMemoryUserRepository) -> User:
    """An active WeChat user, already stored."""
    user = a_user()
    await users.add_if_absent(user)
    return user
