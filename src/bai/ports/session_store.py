from datetime import datetime
from typing import Protocol

from bai.domain.entities import User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.ports.login_code_ledger import Settlement


class SessionStore(Protocol):
    """Storage of sessions, beside the users they belong to (a user's deletion removes them).
    Each method is atomic on its own.

    Raises `StorageUnavailable` when the store cannot be reached.
    """

    async def holder(self, pb_id: str, session_id: str) -> tuple[User, Session | None] | None:
        """The user (as `UserRepository.get` returns it) and that session of theirs (None when
        they have no such session, ended or not), in one read; None when there is no user."""
        ...

    async def find(self, session_id: str) -> Session | None:
        """The session with that id, ended or not; None when there is none."""
        ...

    async def start(self, session: Session, *, limit: int) -> None:
        """Keep `session`, open, and end (at its `created`) the user's oldest open sessions
        beyond `limit`, in one transaction."""
        ...

    async def start_for_identity(
        self,
        appid: str,
        openid: str,
        session: Session,
        *,
        limit: int,
        settling: Settlement | None = None,
    ) -> tuple[Identity, User] | None:
        """The identity `(appid, openid)` and its user, as `IdentityStore.find` reads them,
        and, when that user is active, `session` kept for them (its `pb_id` becomes theirs) as
        `start` keeps one: a sign-in by a known identity in one read where the backend can.
        None, nothing kept, when nobody holds the identity. `settling`: WeChat's answer for
        this backend's own login code ledger to record first, whatever is found (in the same
        statement where the backend can; when the call raises, it may not be recorded)."""
        ...

    async def register_with_session(
        self, user: User, identity: Identity, session: Session, *, limit: int
    ) -> User:
        """`IdentityStore.register` (the same result and refusals), with `session`, the new
        user's first (its `pb_id` is theirs), kept as `start` keeps one, in the same step where
        the backend can."""
        ...

    async def renew(self, session_id: str, user: User, *, at: datetime) -> bool:
        """Mark the open session renewed `at`, only while its user is still active and still
        has `user`'s token key when the write lands (disabled or revoked meanwhile: False,
        nothing written); False too for a session that is ended or not the user's."""
        ...

    async def end(self, pb_id: str, session_id: str, *, at: datetime) -> bool:
        """End the user's open session; False when there is none such."""
        ...

    async def end_all(self, pb_id: str, *, at: datetime) -> int:
        """End every open session of the user; how many."""
        ...

    async def open_of(self, pb_id: str, *, began_after: datetime) -> list[Session]:
        """The user's sessions not ended and begun after `began_after` (the absolute
        lifetime's start), newest first."""
        ...

    async def recent_of(self, pb_id: str, *, limit: int) -> list[Session]:
        """The user's last `limit` sessions (their sign-ins), ended or not, newest first."""
        ...

    async def begun_between(self, *, since: datetime, until: datetime) -> int:
        """How many sessions began (sign-ins) in [`since`, `until`), ended or not."""
        ...

    async def sweep(self, *, ended_before: datetime, began_before: datetime) -> int:
        """Remove sessions ended before `ended_before` or begun before `began_before` (past
        their lifetime and the retention since); how many."""
        ...
