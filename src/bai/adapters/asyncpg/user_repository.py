from datetime import date, datetime
from typing import Any

import asyncpg

from bai.adapters.rows.users import user_of_row
from bai.domain.entities import User, UserStatus
from bai.domain.errors import IdentifierTaken, PhoneAlreadyBound, StorageUnavailable
from bai.domain.push_events import WithdrawnField
from bai.domain.user_query import UserQuery
from bai.ports.user_repository import UserRepository

from .pool import LazyPool
from .user_statements import (
    BY_ID,
    BY_OPENID,
    INSERT,
    REGISTRATIONS_PER_DAY,
    change_query,
    insert_values,
    listing,
    withdraw_query,
)


class AsyncpgUserRepository(UserRepository):
    """Users in PostgreSQL through asyncpg's prepared statements; the same contract as the
    SQLAlchemy adapter (one suite tests both). Reads are single statements, retried once when
    a pooled connection turns out dead. A registration, a profile, status or key change is one
    statement that returns the row with its company (a registration that lost the race to
    another reads the winner's row after)."""

    def __init__(self, pool: LazyPool) -> None:
        self._pool = pool

    async def _read_user(self, query: str, key: str) -> User | None:
        records = await self._pool.read(query, key)
        return user_of_row(records[0]) if records else None

    async def get(self, pb_id: str) -> User | None:
        return await self._read_user(BY_ID, pb_id)

    async def get_by_openid(self, openid: str) -> User | None:
        return await self._read_user(BY_OPENID, openid) if openid else None

    async def add_if_absent(self, user: User) -> tuple[User, bool]:
        async with self._pool.connection() as connection:
            try:
                record = await connection.fetchrow(INSERT, *insert_values(user))
            except asyncpg.UniqueViolationError as exc:
                raise (
                    PhoneAlreadyBound
                    if "users_phone" in (exc.constraint_name or "")
                    else IdentifierTaken
                ) from exc
            if record is not None:
                return user_of_row(record), True
            # Registered by someone else first: a statement of its own sees their row.
            record = await connection.fetchrow(BY_OPENID, user.openid)
        if record is None:
            raise StorageUnavailable
        return user_of_row(record), False

    async def save_profile(
        self,
        user: User,
        *,
        users_name: str,
        users_phone: str,
        users_picture: str,
        updated: datetime,
    ) -> User | None:
        try:
            return await self._change(
                user.pb_id,
                (user.token_key, UserStatus.ACTIVE.value),
                users_name=users_name,
                users_phone=users_phone,
                users_picture=users_picture,
                updated=updated,
            )
        except asyncpg.UniqueViolationError as exc:
            raise PhoneAlreadyBound from exc

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        query = withdraw_query(*sorted(field.value for field in fields))
        async with self._pool.connection() as connection:
            record = await connection.fetchrow(query, pb_id, updated)
        return user_of_row(record) if record is not None else None

    async def set_status(self, pb_id: str, status: UserStatus, *, updated: datetime) -> User | None:
        return await self._change(pb_id, users_status=status.value, updated=updated)

    async def set_token_key(self, pb_id: str, token_key: str, *, updated: datetime) -> User | None:
        return await self._change(pb_id, token_key=token_key, updated=updated)

    async def _change(
        self, pb_id: str, still: tuple[str, str] | None = None, **values: Any
    ) -> User | None:
        """Update the row, only while it still has the token key and status of `still`."""
        query = change_query(*values, guarded=still is not None)
        arguments = [pb_id, *(still or ()), *values.values()]
        async with self._pool.connection() as connection:
            record = await connection.fetchrow(query, *arguments)
        return user_of_row(record) if record is not None else None

    async def delete(self, pb_id: str) -> bool:
        query = "DELETE FROM tbl_auth_users WHERE pb_id = $1 RETURNING pb_id"
        async with self._pool.connection() as connection:
            deleted = await connection.fetchval(query, pb_id)
        return deleted is not None

    async def count(self) -> int:
        """The counter the triggers keep (migration 0002): no scan of the users."""
        query = "SELECT coalesce(sum(total), 0) FROM tbl_auth_users_count"
        return int((await self._pool.read(query))[0][0])

    async def list_users(self, query: UserQuery, *, limit: int) -> list[User]:
        statement, arguments = listing(query, limit)
        return [user_of_row(record) for record in await self._pool.read(statement, *arguments)]

    async def registrations_per_day(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[date, int]]:
        records = await self._pool.read(REGISTRATIONS_PER_DAY, since, until)
        return [(record["day"], int(record["total"])) for record in records]

    async def ping(self) -> None:
        await self._pool.read("SELECT 1")
