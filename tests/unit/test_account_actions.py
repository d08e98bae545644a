import pytest

from bai.adapters.memory.session_store import InMemorySessionStore
from bai.adapters.memory.user_repository import InMemoryUserRepository
from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import PocketBaseTokenIssuer
from bai.domain.authentication import Authenticator
from bai.domain.entities import User, UserStatus
from bai.domain.errors import AccountDisabled, InvalidToken, UserNotFound
from bai.domain.use_cases.account_actions import (
    AccountAction,
    DeleteUser,
    DisableUser,
    EnableUser,
    RevokeSessions,
)
from bai.domain.use_cases.find_user import FindUser
from bai.entrypoints.account_actions import ACCOUNT_ACTIONS
from bai.entrypoints.cli.accounts import USE_CASES as CLI_ACTIONS
from bai.entrypoints.http.console.user_page import ACTIONS as CONSOLE_ACTIONS
from tests.support.fakes import FixedClock


@pytest.fixture
def actions(
    users: InMemoryUserRepository, sessions: InMemorySessionStore, clock: FixedClock
) -> dict[str, AccountAction]:
    return {
        "disable": DisableUser(users=users, sessions=sessions, clock=clock),
        "enable": EnableUser(users=users, clock=clock),
        "revoke": RevokeSessions(
            users=users, sessions=sessions, ids=SecretsIdGenerator(), clock=clock
        ),
        "delete": DeleteUser(users=users),
    }


async def test_disabled_users_are_refused_and_enabled_ones_are_not(
    stored_user: User,
    actions: dict[str, AccountAction],
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
    authenticator: Authenticator,
) -> None:
    user = stored_user
    token = tokens.issue(user)

    await actions["disable"].execute(user.pb_id)
    with pytest.raises(AccountDisabled):
        await authenticator.active_user(token)

    enabled = await actions["enable"].execute(user.pb_id)
    assert enabled is not None
    assert enabled.users_status is UserStatus.ACTIVE
    assert await authenticator.active_user(token) == enabled


async def test_revoking_refuses_earlier_tokens_only(
    stored_user: User,
    actions: dict[str, AccountAction],
    users: InMemoryUserRepository,
    tokens: PocketBaseTokenIssuer,
    authenticator: Authenticator,
) -> None:
    user = stored_user
    earlier = tokens.issue(user)

    revoked = await actions["revoke"].execute(user.pb_id)

    assert revoked is not None
    with pytest.raises(InvalidToken):
        await authenticator.active_user(earlier)
    assert await authenticator.active_user(tokens.issue(revoked)) == revoked


async def test_deleted_users_are_gone(
    stored_user: User, actions: dict[str, AccountAction], users: InMemoryUserRepository
) -> None:
    user = stored_user

    assert await actions["delete"].execute(user.pb_id) is None
    with pytest.raises(UserNotFound):
        await FindUser(users=users).execute(user.pb_id)


@pytest.mark.parametrize("action", ["disable", "enable", "revoke", "delete"])
async def test_unknown_users_are_not_found(actions: dict[str, AccountAction], action: str) -> None:
    with pytest.raises(UserNotFound):
        await actions[action].execute("nobody000000000")


def test_the_cli_and_the_console_offer_the_same_account_actions() -> None:
    assert set(ACCOUNT_ACTIONS) == set(CLI_ACTIONS) == set(CONSOLE_ACTIONS)
