"""Sessions: a person signs out of this one or of all and sees where they are signed in; an
operator sees a user's and ends one."""

from dataclasses import dataclass
from enum import StrEnum

from bai.domain.authentication import Authenticator
from bai.domain.entities import is_record_id
from bai.domain.errors import InvalidToken, SessionNotFound, UserNotFound
from bai.domain.session_keeping import SessionKeeping
from bai.domain.sessions import Session, SessionPolicy
from bai.domain.use_cases.account_actions import RevokeSessions
from bai.ports.clock import Clock
from bai.ports.session_store import SessionStore
from bai.ports.user_repository import UserRepository


class Ended(StrEnum):
    THIS = "this"
    ALL = "all"


class Logout:
    """Ends the token's session: that token and every token renewed from it are refused from
    then on (`Ended.THIS`). A token without a session cannot be told apart from the user's
    others, so all of the user's end, as `LogoutAll` does (`Ended.ALL`). A token that is not
    valid is `InvalidToken`; a disabled user may still sign out."""

    def __init__(
        self, *, authenticator: Authenticator, keeping: SessionKeeping, revoke: RevokeSessions
    ) -> None:
        self._authenticator = authenticator
        self._keeping = keeping
        self._revoke = revoke

    async def execute(self, token: str | None) -> Ended:
        bearer = await self._authenticator.bearer(token)
        if bearer is None:
            raise InvalidToken
        if bearer.session is not None:
            await self._keeping.end(bearer)
            return Ended.THIS
        await self._revoke.execute(bearer.user.pb_id)
        return Ended.ALL


class LogoutAll:
    """Ends every session of the token's user and refuses every token they hold (a new
    `token_key`), on every device."""

    def __init__(self, *, authenticator: Authenticator, revoke: RevokeSessions) -> None:
        self._authenticator = authenticator
        self._revoke = revoke

    async def execute(self, token: str | None) -> Ended:
        bearer = await self._authenticator.bearer(token)
        if bearer is None:
            raise InvalidToken
        await self._revoke.execute(bearer.user.pb_id)
        return Ended.ALL


@dataclass(frozen=True, slots=True)
class OpenSessions:
    sessions: list[Session]  # newest first
    current: str  # the caller's own session ("" for a token without one)


class ListSessions:
    """The open sessions of the token's (active) user, newest first, and which is the
    caller's."""

    def __init__(self, *, authenticator: Authenticator, keeping: SessionKeeping) -> None:
        self._authenticator = authenticator
        self._keeping = keeping

    async def execute(self, token: str | None) -> OpenSessions:
        bearer = await self._authenticator.active(token)
        current = bearer.session.id if bearer.session is not None else ""
        return OpenSessions(await self._keeping.open_of(bearer.user.pb_id), current)


class ShowSessions:
    """An operator's view of a user's open sessions, newest first; an unknown user is
    `UserNotFound`."""

    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SessionStore,
        policy: SessionPolicy,
        clock: Clock,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._policy = policy
        self._clock = clock

    async def execute(self, pb_id: str) -> list[Session]:
        if await self._users.get(pb_id) is None:
            raise UserNotFound
        began_after = self._clock.now() - self._policy.max_age
        return await self._sessions.open_of(pb_id, began_after=began_after)


class EndSession:
    """An operator ends one session by its id: its tokens are refused from the next request.
    A session that is unknown or ended already is `SessionNotFound`."""

    def __init__(self, *, sessions: SessionStore, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def execute(self, session_id: str) -> Session:
        session = await self._sessions.find(session_id) if is_record_id(session_id) else None
        if session is None or not await self._sessions.end(
            session.pb_id, session.id, at=self._clock.now()
        ):
            raise SessionNotFound
        return session
