from dataclasses import dataclass
from enum import StrEnum

from bai.domain.entities import User, UserStatus
from bai.domain.errors import UserNotFound
from bai.ports.clock import Clock
from bai.ports.id_generator import IdGenerator
from bai.ports.user_repository import UserRepository


class AccountAction(StrEnum):
    DISABLE = "disable"
    ENABLE = "enable"
    REVOKE = "revoke"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class AccountCommand:
    action: AccountAction
    pb_id: str


class ManageAccount:
    """What an operator does to one account. Every request reads the user afresh, so each
    action holds from the very next request, in every process.

    - `disable` refuses the user everywhere (401, login included); `enable` lets them back.
    - `revoke` draws a new `token_key`: every token issued before is refused.
    - `delete` removes the account; its tokens are refused and its openid may register anew.
    - An unknown user is `UserNotFound`.
    """

    def __init__(self, *, users: UserRepository, ids: IdGenerator, clock: Clock) -> None:
        self._users = users
        self._ids = ids
        self._clock = clock

    async def execute(self, command: AccountCommand) -> User | None:
        now, pb_id = self._clock.now(), command.pb_id
        match command.action:
            case AccountAction.DISABLE | AccountAction.ENABLE:
                status = (
                    UserStatus.DISABLED
                    if command.action is AccountAction.DISABLE
                    else UserStatus.ACTIVE
                )
                changed = await self._users.set_status(pb_id, status, updated=now)
            case AccountAction.REVOKE:
                changed = await self._users.set_token_key(
                    pb_id, self._ids.new_token_key(), updated=now
                )
            case AccountAction.DELETE:
                if not await self._users.delete(pb_id):
                    raise UserNotFound
                return None
        if changed is None:
            raise UserNotFound
        return changed
