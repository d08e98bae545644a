"""Who a bearer token belongs to, and in which session."""

from dataclasses import dataclass

from bai.domain.entities import User, is_record_id
from bai.domain.errors import AccountDisabled, InvalidToken
from bai.domain.sessions import Session, SessionPolicy
from bai.ports.clock import Clock
from bai.ports.session_store import SessionStore
from bai.ports.token_issuer import TokenIssuer
from bai.ports.user_repository import UserRepository


@dataclass(frozen=True, slots=True)
class Bearer:
    """A genuine token's user and its session (None for a token without `sid`: issued by
    PocketBase, or before sessions, which cannot be told apart from the user's others)."""

    user: User
    session: Session | None


class Authenticator:
    """Resolves tokens to users and sessions.

    - A token names a user; that user must exist and the token must carry that user's current
      signature, so rotating the user's key revokes every token they hold.
    - A token naming a session is read with its user in one read: the session must be the
      user's, not ended, and within its absolute lifetime.
    - A token that names something other than a record id (as user or session) names nobody:
      it is not looked up.
    - A disabled user is refused even with a valid token.
    """

    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SessionStore,
        tokens: TokenIssuer,
        policy: SessionPolicy,
        clock: Clock,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._tokens = tokens
        self._policy = policy
        self._clock = clock

    async def bearer(self, token: str | None) -> Bearer | None:
        """The user (disabled or not) and session of a genuine token; None for anything else."""
        if not token:
            return None
        claimed = self._tokens.claimed(token)
        if claimed is None or not is_record_id(claimed[0]):
            return None
        user_id, session_id = claimed
        session = None
        if not session_id:
            user = await self._users.get(user_id)
        elif not is_record_id(session_id):
            return None
        else:
            found = await self._sessions.holder(user_id, session_id)
            user, session = found if found is not None else (None, None)
            if session is None or not session.is_open(self._clock.now(), self._policy):
                return None
        if user is None or not self._tokens.is_valid(token, user):
            return None
        return Bearer(user, session)

    async def holder(self, token: str | None) -> User | None:
        """The user a genuine token belongs to, disabled or not; None for anything else."""
        bearer = await self.bearer(token)
        return bearer.user if bearer is not None else None

    async def active(self, token: str | None) -> Bearer:
        bearer = await self.bearer(token)
        if bearer is None:
            raise InvalidToken
        if bearer.user.is_disabled:
            raise AccountDisabled
        return bearer

    async def active_user(self, token: str | None) -> User:
        return (await self.active(token)).user
