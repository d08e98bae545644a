from dataclasses import replace
from datetime import datetime

from bai.adapters.rows.identities import IDENTITY_PREFIX, identity_of_row
from bai.adapters.rows.sessions import joined_session
from bai.adapters.rows.users import user_of_row
from bai.domain.entities import User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.ports.login_code_ledger import Settlement
from bai.ports.session_store import SessionStore

from .identity_statements import register_values
from .identity_store import registered
from .login_code_ledger import settle_values
from .pool import LazyPool
from .session_statements import (
    HOLDER,
    REGISTER_WITH_SESSION,
    RENEW,
    START,
    START_FOR_IDENTITY,
    START_FOR_IDENTITY_SETTLING,
    session_values,
    start_for_identity_values,
    start_values,
)


class AsyncpgSessionStore(SessionStore):
    """The request path's part of the session store through asyncpg: `holder` (the user with
    its company and the session) and `renew` (the guarded update), one statement each, and
    `start` (the session and the end of those beyond the limit, one call of the function
    migration 0005 made). The rest, a
    sign-out's, an operator's or the sweep's, is `rest`'s (the SQLAlchemy store on the same
    database: docs/storage.md says why)."""

    def __init__(self, pool: LazyPool, *, rest: SessionStore) -> None:
        self._pool = pool
        self._rest = rest

    async def holder(self, pb_id: str, session_id: str) -> tuple[User, Session | None] | None:
        records = await self._pool.read(HOLDER, pb_id, session_id)
        return (user_of_row(records[0]), joined_session(records[0])) if records else None

    async def start(self, session: Session, *, limit: int) -> None:
        async with self._pool.connection() as connection:
            await connection.fetchval(START, *start_values(session, limit))

    async def start_for_identity(
        self,
        appid: str,
        openid: str,
        session: Session,
        *,
        limit: int,
        settling: Settlement | None = None,
    ) -> tuple[Identity, User] | None:
        query, values = (
            START_FOR_IDENTITY,
            [appid, openid, *start_for_identity_values(session, limit)],
        )
        if settling is not None:
            query, values = START_FOR_IDENTITY_SETTLING, [*values, *settle_values(settling)]
        async with self._pool.connection() as connection:
            row = await connection.fetchrow(query, *values)
        if row is None:
            return None
        return identity_of_row(row, IDENTITY_PREFIX), user_of_row(row)

    async def register_with_session(
        self, user: User, identity: Identity, session: Session, *, limit: int
    ) -> User:
        values = register_values(user, replace(identity, pb_id=user.pb_id))
        values += session_values(replace(session, pb_id=user.pb_id))
        return await registered(self._pool, REGISTER_WITH_SESSION, values)

    async def renew(self, session_id: str, user: User, *, at: datetime) -> bool:
        async with self._pool.connection() as connection:
            renewed = await connection.fetchval(RENEW, session_id, user.pb_id, user.token_key, at)
        return renewed is not None

    async def find(self, session_id: str) -> Session | None:
        return await self._rest.find(session_id)

    async def end(self, pb_id: str, session_id: str, *, at: datetime) -> bool:
        return await self._rest.end(pb_id, session_id, at=at)

    async def end_all(self, pb_id: str, *, at: datetime) -> int:
        return await self._rest.end_all(pb_id, at=at)

    async def open_of(self, pb_id: str, *, began_after: datetime) -> list[Session]:
        return await self._rest.open_of(pb_id, began_after=began_after)

    async def recent_of(self, pb_id: str, *, limit: int) -> list[Session]:
        return await self._rest.recent_of(pb_id, limit=limit)

    async def begun_between(self, *, since: datetime, until: datetime) -> int:
        return await self._rest.begun_between(since=since, until=until)

    async def sweep(self, *, ended_before: datetime, began_before: datetime) -> int:
        return await self._rest.sweep(ended_before=ended_before, began_before=began_before)
