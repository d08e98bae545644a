"""What an operator does to one account, one use case per action (the CLI's `bai users ...`,
and anything later that needs them). Every request reads its user afresh, so each action holds
from the very next request, in every process; an unknown user is `UserNotFound`."""

from typing import Protocol

from bai.domain.entities import User, UserStatus
from bai.domain.errors import UserNotFound
from bai.ports.clock import Clock
from bai.ports.id_generator import IdGenerator
from bai.ports.session_store import SessionStore
from bai.ports.user_repository import UserRepository


class AccountAction(Protocol):
    """Any of the four: the same call for each, which is how the CLI runs them."""

    async def execute(self, pb_id: str) -> User | None: ...


def _found(user: User | None) -> User:
    if user is None:
        raise UserNotFound
    return user


class DisableUser:
    """The user is refused everywhere (401, login included) until enabled, and every session
    of theirs ends (enabled again, they sign in anew)."""

    def __init__(self, *, users: UserRepository, sessions: SessionStore, clock: Clock) -> None:
        self._users, self._sessions, self._clock = users, sessions, clock

    async def execute(self, pb_id: str) -> User:
        now = self._clock.now()
        changed = _found(await self._users.set_status(pb_id, UserStatus.DISABLED, updated=now))
        await self._sessions.end_all(pb_id, at=now)
        return changed


class EnableUser:
    """A disabled user is let back in and signs in anew (disabling ended their sessions; a
    token without a session works again unless revoked meanwhile)."""

    def __init__(self, *, users: UserRepository, clock: Clock) -> None:
        self._users, self._clock = users, clock

    async def execute(self, pb_id: str) -> User:
        changed = await self._users.set_status(pb_id, UserStatus.ACTIVE, updated=self._clock.now())
        return _found(changed)


class RevokeSessions:
    """A new `token_key` and every session ended: every token issued before (with a session or
    without) is refused; the user signs in again."""

    def __init__(
        self, *, users: UserRepository, sessions: SessionStore, ids: IdGenerator, clock: Clock
    ) -> None:
        self._users, self._sessions, self._ids, self._clock = users, sessions, ids, clock

    async def execute(self, pb_id: str) -> User:
        key, now = self._ids.new_token_key(), self._clock.now()
        changed = _found(await self._users.set_token_key(pb_id, key, updated=now))
        await self._sessions.end_all(pb_id, at=now)
        return changed


class DeleteUser:
    """The account is removed, with its identities and sessions; its tokens are refused and its
    openid may register anew."""

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self, pb_id: str) -> None:
        if not await self._users.delete(pb_id):
            raise UserNotFound
