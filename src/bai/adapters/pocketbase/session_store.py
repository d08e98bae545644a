from datetime import datetime, timedelta
from typing import Any

from bai.adapters.sessions_of_identities import SignInInTwoSteps
from bai.domain.entities import User, is_record_id
from bai.domain.sessions import Session
from bai.ports.identity_store import IdentityStore
from bai.ports.login_code_ledger import LoginCodeLedger
from bai.ports.session_store import SessionStore

from .client import PocketBaseClient, served_as
from .records import pocketbase_bound, pocketbase_time, session_of, session_record
from .user_repository import user_in


def _session(record: dict[str, Any]) -> Session:
    return served_as(session_of, record, "tbl_auth_sessions")


class PocketBaseSessionStore(SignInInTwoSteps, SessionStore):
    """Sessions in a live PocketBase's `tbl_auth_sessions`, whose `user` is a relation that
    PocketBase deletes with the user (`pb_migrations/1700000002_bai_sessions.js`). Every call
    is one request to BAI's hook (`pb_hooks/bai_sessions.js`), each write one PocketBase
    transaction. A session is kept with its `expires`, `created` plus `max_age`
    (BAI_SESSION_MAX_AGE): past it, or once ended, the hook refuses its tokens on PocketBase's
    own routes too."""

    def __init__(
        self,
        client: PocketBaseClient,
        *,
        identities: IdentityStore,
        codes: LoginCodeLedger,
        max_age: timedelta,
    ) -> None:
        self._client = client
        self._identities = identities
        self._codes = codes
        self._max_age = max_age

    async def holder(self, pb_id: str, session_id: str) -> tuple[User, Session | None] | None:
        if not is_record_id(pb_id):
            return None
        _, answer = await self._client.call("holder", pb_id=pb_id, id=session_id)
        user = user_in(answer)
        if user is None:
            return None
        session = answer.get("session")
        return user, _session(session) if isinstance(session, dict) else None

    async def find(self, session_id: str) -> Session | None:
        if not is_record_id(session_id):
            return None
        _, answer = await self._client.call("session", id=session_id)
        session = answer.get("session")
        return _session(session) if isinstance(session, dict) else None

    async def start(self, session: Session, *, limit: int) -> None:
        await self._client.call(
            "start", limit=limit, **session_record(session, max_age=self._max_age)
        )

    async def renew(self, session_id: str, user: User, *, at: datetime) -> bool:
        _, answer = await self._client.call(
            "renew",
            id=session_id,
            pb_id=user.pb_id,
            tokenKey=user.token_key,
            at=pocketbase_time(at),
        )
        return answer.get("renewed") is True

    async def end(self, pb_id: str, session_id: str, *, at: datetime) -> bool:
        _, answer = await self._client.call(
            "end", id=session_id, pb_id=pb_id, at=pocketbase_time(at)
        )
        return int(answer.get("ended", 0)) == 1

    async def end_all(self, pb_id: str, *, at: datetime) -> int:
        _, answer = await self._client.call("end_all", pb_id=pb_id, at=pocketbase_time(at))
        return int(answer.get("ended", 0))

    async def open_of(self, pb_id: str, *, began_after: datetime) -> list[Session]:
        if not is_record_id(pb_id):
            return []
        _, answer = await self._client.call(
            "open_of", pb_id=pb_id, began_after=pocketbase_time(began_after)
        )
        records = answer.get("sessions")
        if not isinstance(records, list):
            return []
        return [_session(record) for record in records if isinstance(record, dict)]

    async def recent_of(self, pb_id: str, *, limit: int) -> list[Session]:
        if not is_record_id(pb_id):
            return []
        _, answer = await self._client.call("recent_of", pb_id=pb_id, limit=limit)
        records = answer.get("sessions")
        if not isinstance(records, list):
            return []
        return [_session(record) for record in records if isinstance(record, dict)]

    async def begun_between(self, *, since: datetime, until: datetime) -> int:
        _, answer = await self._client.call(
            "begun_between",
            since=pocketbase_bound(since),
            until=pocketbase_bound(until),
        )
        return int(answer.get("total", 0))

    async def sweep(self, *, ended_before: datetime, began_before: datetime) -> int:
        _, answer = await self._client.call(
            "sweep",
            ended_before=pocketbase_time(ended_before),
            began_before=pocketbase_time(began_before),
        )
        return int(answer.get("removed", 0))
