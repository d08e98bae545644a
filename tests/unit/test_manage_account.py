import pytest

from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.authentication import Authenticator
from bai.domain.entities import User, UserStatus
from bai.domain.errors import AccountDisabled, InvalidToken, UserNotFound
from bai.domain.use_cases.find_user import FindUser
from bai.domain.use_cases.manage_account import AccountAction, AccountCommand, ManageAccount
from tests.support.fakes import FixedClock


@pytest.fixture
def manage(users: InMemoryUserRepository, clock: FixedClock) -> ManageAccount:
    return ManageAccount(users=users, ids=SecretsIdGenerator(), clock=clock)


async def test_disabled_users_are_refused_and_enabled_ones_are_not(
    stored_user: User,
    manage: ManageAccount,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
    authenticator: Authenticator,
) -> None:
    user = stored_user
    token = tokens.issue(user)

    await manage.execute(AccountCommand(AccountAction.DISABLE, user.pb_id))
    with pytest.raises(AccountDisabled):
        await authenticator.active_user(token)

    enabled = await manage.execute(AccountCommand(AccountAction.ENABLE, user.pb_id))
    assert enabled is not None
    assert enabled.users_status is UserStatus.ACTIVE
    assert await authenticator.active_user(token) == enabled


async def test_revoking_refuses_earlier_tokens_only(
    stored_user: User,
    manage: ManageAccount,
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
    authenticator: Authenticator,
) -> None:
    user = stored_user
    earlier = tokens.issue(user)

    revoked = await manage.execute(AccountCommand(AccountAction.REVOKE, user.pb_id))

    assert revoked is not None
    with pytest.raises(InvalidToken):
        await authenticator.active_user(earlier)
    assert await authenticator.active_user(tokens.issue(revoked)) == revoked


async def test_deleted_users_are_gone(
    stored_user: User, manage: ManageAccount, users: InMemoryUserRepository
) -> None:
    user = stored_user

    assert await manage.execute(AccountCommand(AccountAction.DELETE, user.pb_id)) is None
    with pytest.raises(UserNotFound):
        await FindUser(users=users).execute(user.pb_id)


@pytest.mark.parametrize("action", list(AccountAction))
async def test_unknown_users_are_not_found(manage: ManageAccount, action: AccountAction) -> None:
    with pytest.raises(UserNotFound):
        await manage.execute(AccountCommand(action, "nobody000000000"))
