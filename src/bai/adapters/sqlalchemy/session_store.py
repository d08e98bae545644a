from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.sessions import (
    SESSION_COLUMNS,
    SESSION_PREFIX,
    joined_session,
    row_of_session,
    session_of_row,
)
from bai.adapters.rows.tables import auth_sessions, auth_users
from bai.adapters.rows.users import user_of_row
from bai.adapters.sessions_of_identities import SignInInTwoSteps
from bai.domain.entities import User, UserStatus
from bai.domain.sessions import Session
from bai.ports.identity_store import IdentityStore
from bai.ports.login_code_ledger import LoginCodeLedger
from bai.ports.session_store import SessionStore

from .reads import Reads, dialect_insert, users_with_company
from .transactions import changed, delete_in_batches, write_transaction

users, sessions = auth_users.c, auth_sessions.c
_SESSION_COLUMNS = [column.label(f"{SESSION_PREFIX}{column.name}") for column in sessions]


def _open_of(pb_id: str) -> tuple[Any, ...]:
    return sessions.pb_id == pb_id, sessions.ended.is_(None)


class SqlAlchemySessionStore(SignInInTwoSteps, SessionStore):
    """Sessions in PostgreSQL or SQLite. A read is one statement (the session with its user
    and company, by an outer join); a write is one short transaction (on SQLite through the
    process's write queue). A start locks its user's row, so concurrent starts of one user
    take turns counting the open sessions; a renewal is one guarded `UPDATE`. A user's
    sessions go with the user (the foreign key cascades)."""

    def __init__(
        self, engine: AsyncEngine, *, identities: IdentityStore, codes: LoginCodeLedger
    ) -> None:
        self._engine = engine
        self._identities = identities
        self._codes = codes
        self._reads = Reads(engine)
        self._insert = dialect_insert(engine, "session store")

    async def holder(self, pb_id: str, session_id: str) -> tuple[User, Session | None] | None:
        theirs = auth_users.outerjoin(
            auth_sessions, and_(sessions.id == session_id, sessions.pb_id == users.pb_id)
        )
        statement = users_with_company(theirs).add_columns(*_SESSION_COLUMNS)
        rows = await self._reads.rows(statement.where(users.pb_id == pb_id))
        return (user_of_row(rows[0]), joined_session(rows[0])) if rows else None

    async def find(self, session_id: str) -> Session | None:
        rows = await self._reads.rows(select(auth_sessions).where(sessions.id == session_id))
        return session_of_row(rows[0]) if rows else None

    async def start(self, session: Session, *, limit: int) -> None:
        pb_id = session.pb_id
        row = row_of_session(session)
        # The session, taken from the user's row under FOR NO KEY UPDATE on PostgreSQL (nothing
        # on SQLite, whose writers take turns): the user's other starts queue behind it, the
        # foreign key checks of other tables do not. None when the user is gone.
        values = [
            users.pb_id if column == "pb_id" else literal(row[column], sessions[column].type)
            for column in SESSION_COLUMNS
        ]
        user = select(*values).where(users.pb_id == pb_id).with_for_update(key_share=True)
        added = (
            self._insert(auth_sessions).from_select(SESSION_COLUMNS, user).returning(sessions.id)
        )
        newest_first = (sessions.created.desc(), sessions.id.desc())
        beyond = select(sessions.id).where(*_open_of(pb_id)).order_by(*newest_first).offset(limit)
        async with write_transaction(self._engine) as connection:
            if (await connection.execute(added)).first() is not None:
                await connection.execute(
                    update(auth_sessions)
                    .where(sessions.id.in_(beyond))
                    .values(ended=session.created)
                )

    async def renew(self, session_id: str, user: User, *, at: datetime) -> bool:
        allowed = exists().where(
            users.pb_id == user.pb_id,
            users.token_key == user.token_key,
            users.users_status == UserStatus.ACTIVE.value,
        )
        statement = (
            update(auth_sessions)
            .where(sessions.id == session_id, *_open_of(user.pb_id), allowed)
            .values(renewed=at)
        )
        return await changed(self._engine, statement) == 1

    async def end(self, pb_id: str, session_id: str, *, at: datetime) -> bool:
        statement = (
            update(auth_sessions)
            .where(sessions.id == session_id, *_open_of(pb_id))
            .values(ended=at)
        )
        return await changed(self._engine, statement) == 1

    async def end_all(self, pb_id: str, *, at: datetime) -> int:
        return await changed(
            self._engine, update(auth_sessions).where(*_open_of(pb_id)).values(ended=at)
        )

    async def open_of(self, pb_id: str, *, began_after: datetime) -> list[Session]:
        statement = (
            select(auth_sessions)
            .where(*_open_of(pb_id), sessions.created > began_after)
            .order_by(sessions.created.desc(), sessions.id.desc())
        )
        return [session_of_row(row) for row in await self._reads.rows(statement)]

    async def recent_of(self, pb_id: str, *, limit: int) -> list[Session]:
        statement = (
            select(auth_sessions)
            .where(sessions.pb_id == pb_id)
            .order_by(sessions.created.desc(), sessions.id.desc())
            .limit(limit)
        )
        return [session_of_row(row) for row in await self._reads.rows(statement)]

    async def begun_between(self, *, since: datetime, until: datetime) -> int:
        """By the index on `created`."""
        statement = select(func.count().label("total")).where(
            sessions.created >= since, sessions.created < until
        )
        return int((await self._reads.rows(statement))[0]["total"])

    async def sweep(self, *, ended_before: datetime, began_before: datetime) -> int:
        due = or_(sessions.ended < ended_before, sessions.created < began_before)
        return await delete_in_batches(self._engine, auth_sessions, due)
