from dataclasses import replace
from datetime import datetime

from bai.adapters.sessions_of_identities import SignInInTwoSteps
from bai.domain.entities import User, UserStatus
from bai.domain.sessions import Session
from bai.ports.identity_store import IdentityStore
from bai.ports.login_code_ledger import LoginCodeLedger
from bai.ports.session_store import SessionStore

from .user_repository import InMemoryUserRepository


class InMemorySessionStore(SignInInTwoSteps, SessionStore):
    """Sessions in a dictionary, beside the users of an `InMemoryUserRepository`. No method
    awaits while it reads and writes, so each is atomic on one event loop. A deleted user's
    sessions are gone with it (they are dropped when next met)."""

    def __init__(
        self,
        users: InMemoryUserRepository,
        *,
        identities: IdentityStore,
        codes: LoginCodeLedger,
    ) -> None:
        self._users = users
        self._identities = identities
        self._codes = codes
        self._sessions: dict[str, Session] = {}

    def _of(self, pb_id: str) -> list[Session]:
        if not self._users.exists(pb_id):
            for session in [s for s in self._sessions.values() if s.pb_id == pb_id]:
                del self._sessions[session.id]
            return []
        return [session for session in self._sessions.values() if session.pb_id == pb_id]

    async def holder(self, pb_id: str, session_id: str) -> tuple[User, Session | None] | None:
        if not self._users.exists(pb_id):
            return None
        session = self._sessions.get(session_id)
        return self._users.stored(pb_id), session if session and session.pb_id == pb_id else None

    async def find(self, session_id: str) -> Session | None:
        session = self._sessions.get(session_id)
        return session if session is not None and self._users.exists(session.pb_id) else None

    async def start(self, session: Session, *, limit: int) -> None:
        if not self._users.exists(session.pb_id):
            return
        self._sessions[session.id] = session
        open_ones = [s for s in self._of(session.pb_id) if s.ended is None]
        oldest_first = sorted(open_ones, key=lambda s: (s.created, s.id))
        for ended in oldest_first[: max(0, len(open_ones) - limit)]:
            self._sessions[ended.id] = replace(ended, ended=session.created)

    async def renew(self, session_id: str, user: User, *, at: datetime) -> bool:
        session = self._sessions.get(session_id)
        if session is None or session.pb_id != user.pb_id or session.ended is not None:
            return False
        stored = self._users.stored(user.pb_id) if self._users.exists(user.pb_id) else None
        if (
            stored is None
            or stored.token_key != user.token_key
            or stored.users_status is not UserStatus.ACTIVE
        ):
            return False
        self._sessions[session_id] = replace(session, renewed=at)
        return True

    async def end(self, pb_id: str, session_id: str, *, at: datetime) -> bool:
        session = self._sessions.get(session_id)
        if session is None or session.pb_id != pb_id or session.ended is not None:
            return False
        self._sessions[session_id] = replace(session, ended=at)
        return True

    async def end_all(self, pb_id: str, *, at: datetime) -> int:
        open_ones = [s for s in self._of(pb_id) if s.ended is None]
        for session in open_ones:
            self._sessions[session.id] = replace(session, ended=at)
        return len(open_ones)

    async def open_of(self, pb_id: str, *, began_after: datetime) -> list[Session]:
        chosen = [s for s in self._of(pb_id) if s.ended is None and s.created > began_after]
        return sorted(chosen, key=lambda s: (s.created, s.id), reverse=True)

    async def recent_of(self, pb_id: str, *, limit: int) -> list[Session]:
        return sorted(self._of(pb_id), key=lambda s: (s.created, s.id), reverse=True)[:limit]

    async def begun_between(self, *, since: datetime, until: datetime) -> int:
        return sum(
            1
            for s in self._sessions.values()
            if since <= s.created < until and self._users.exists(s.pb_id)
        )

    async def sweep(self, *, ended_before: datetime, began_before: datetime) -> int:
        gone = [
            s
            for s in self._sessions.values()
            if (s.ended is not None and s.ended < ended_before)
            or s.created < began_before
            or not self._users.exists(s.pb_id)
        ]
        for session in gone:
            del self._sessions[session.id]
        return len(gone)
