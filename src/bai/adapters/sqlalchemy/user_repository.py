import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    case,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.like import containing
from bai.adapters.rows.tables import UtcDateTime, auth_identities, auth_users, users_count
from bai.adapters.rows.users import row_of_user, user_of_row
from bai.domain.entities import User, UserStatus
from bai.domain.errors import IdentifierTaken, PhoneAlreadyBound, StorageUnavailable
from bai.domain.push_events import WithdrawnField
from bai.domain.user_query import UserQuery
from bai.ports.user_repository import UserRepository

from .reads import SELECT_USERS, Reads, dialect_insert, holding, user_in
from .transactions import write_transaction

logger = logging.getLogger("bai.storage")
# A literal, not a bound parameter: PostgreSQL must match it to the partial unique index even
# when a prepared statement runs on a generic plan.
_HAS_OPENID = text("openid <> ''")


def _ascii_lower(column: Any, dialect: str) -> Any:
    """`column` with A-Z as a-z only (`ascii_folded`): SQLite's `lower` folds no other letter,
    PostgreSQL's none other under the "C" collation."""
    return func.lower(column.collate("C") if dialect == "postgresql" else column)


def _day(created: Any, dialect: str) -> Any:
    """The UTC day of `created` (SQLite keeps it as UTC text, without a zone)."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", created))
    return func.date(created)


def _conditions(query: UserQuery, dialect: str) -> list[Any]:
    """`query` as SQL, in terms the index on (`created`, `pb_id`) serves; a `pb_id` or `phone`
    by its unique index, an `app` by the identities' (`pb_id`, `appid`) key, a `name` by a
    scan of the users the other terms leave (docs/storage.md)."""
    users = auth_users.c
    conditions = []
    if query.pb_id is not None:
        conditions.append(users.pb_id == query.pb_id)
    if query.phone is not None:
        conditions.append(holding(users.users_phone, query.phone))
    if query.name is not None:
        pattern = literal(containing(query.name))
        conditions.append(_ascii_lower(users.users_name, dialect).like(pattern, escape="\\"))
    if query.app is not None:
        identities = auth_identities.c
        held = exists().where(identities.pb_id == users.pb_id, identities.appid == query.app)
        conditions.append(held)
    if query.status is not None:
        conditions.append(users.users_status == query.status.value)
    if query.since is not None:
        conditions.append(users.created >= literal(query.since, UtcDateTime))
    if query.has_phone is not None:
        conditions.append(users.users_phone != "" if query.has_phone else users.users_phone == "")
    if (after := query.after) is not None:
        start = tuple_(literal(after.created, UtcDateTime), literal(after.pb_id))
        conditions.append(tuple_(users.created, users.pb_id) > start)
    return conditions


def _as_date(day: date | str) -> date:
    """A day as PostgreSQL (a date) or SQLite (ISO text) reads it."""
    return day if isinstance(day, date) else date.fromisoformat(day)


class SqlAlchemyUserRepository(UserRepository):
    """Users in PostgreSQL or SQLite. A write is one short transaction whose first statement is
    the write, and uniqueness is left to the database's indexes; a read is a single statement."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = Reads(engine)
        self._insert = dialect_insert(engine, "user repository")
        self._dialect = engine.dialect.name

    async def get(self, pb_id: str) -> User | None:
        return await self._reads.user(auth_users.c.pb_id == pb_id)

    async def get_by_openid(self, openid: str) -> User | None:
        return await self._reads.user(holding(auth_users.c.openid, openid)) if openid else None

    async def add_if_absent(self, user: User) -> tuple[User, bool]:
        statement = (
            self._insert(auth_users)
            .values(row_of_user(user))
            .on_conflict_do_nothing(index_elements=["openid"], index_where=_HAS_OPENID)
            .returning(auth_users.c.pb_id)
        )
        async with write_transaction(self._engine) as connection:
            try:
                created = (await connection.execute(statement)).first() is not None
            except IntegrityError as exc:
                raise await self._taken(user) from exc
            users = auth_users.c
            key = users.pb_id == user.pb_id if created else holding(users.openid, user.openid)
            stored = await user_in(connection, key)
        if stored is None:
            raise StorageUnavailable
        return stored, created

    async def _taken(self, user: User) -> Exception:
        """Which unique value of `user` another user holds, asked of the database (its error
        text differs from one driver to the next): the phone, or else an identifier."""
        phone = user.users_phone
        holder = await self._reads.user(holding(auth_users.c.users_phone, phone)) if phone else None
        return PhoneAlreadyBound() if holder is not None else IdentifierTaken()

    async def save_profile(
        self,
        user: User,
        *,
        users_name: str,
        users_phone: str,
        users_picture: str,
        updated: datetime,
    ) -> User | None:
        pb_id = user.pb_id
        statement = (
            update(auth_users)
            .where(
                auth_users.c.pb_id == pb_id,
                auth_users.c.token_key == user.token_key,
                auth_users.c.users_status == UserStatus.ACTIVE.value,
            )
            .values(
                users_name=users_name,
                users_phone=users_phone,
                users_picture=users_picture,
                updated=updated,
            )
            .returning(auth_users.c.pb_id)
        )
        async with write_transaction(self._engine) as connection:
            try:
                found = (await connection.execute(statement)).first() is not None
            except IntegrityError as exc:
                raise PhoneAlreadyBound from exc
            return await user_in(connection, auth_users.c.pb_id == pb_id) if found else None

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        columns = [auth_users.c[field.value] for field in sorted(fields)]
        # `updated` moves only when a field held something: read in the row being written.
        held = or_(false(), *(column != "" for column in columns))
        stamp = case((held, literal(updated, UtcDateTime)), else_=auth_users.c.updated)
        return await self._change(pb_id, **{column.name: "" for column in columns}, updated=stamp)

    async def set_status(self, pb_id: str, status: UserStatus, *, updated: datetime) -> User | None:
        return await self._change(pb_id, users_status=status.value, updated=updated)

    async def set_token_key(self, pb_id: str, token_key: str, *, updated: datetime) -> User | None:
        return await self._change(pb_id, token_key=token_key, updated=updated)

    async def delete(self, pb_id: str) -> bool:
        statement = (
            delete(auth_users).where(auth_users.c.pb_id == pb_id).returning(auth_users.c.pb_id)
        )
        async with write_transaction(self._engine) as connection:
            return (await connection.execute(statement)).first() is not None

    async def _change(self, pb_id: str, **values: Any) -> User | None:
        statement = (
            update(auth_users)
            .where(auth_users.c.pb_id == pb_id)
            .values(**values)
            .returning(auth_users.c.pb_id)
        )
        async with write_transaction(self._engine) as connection:
            found = (await connection.execute(statement)).first() is not None
            return await user_in(connection, auth_users.c.pb_id == pb_id) if found else None

    async def count(self) -> int:
        """The counter the triggers keep (migration 0002): no scan of the users."""
        total = select(func.coalesce(func.sum(users_count.c.total), 0).label("total"))
        return int((await self._reads.rows(total))[0]["total"])

    async def list_users(self, query: UserQuery, *, limit: int) -> list[User]:
        order = (auth_users.c.created, auth_users.c.pb_id)
        conditions = _conditions(query, self._dialect)
        statement = SELECT_USERS.where(*conditions).order_by(*order).limit(limit)
        return [user_of_row(row) for row in await self._reads.rows(statement)]

    async def registrations_per_day(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[date, int]]:
        """By the index on (`created`, `pb_id`)."""
        users = auth_users.c
        day = _day(users.created, self._dialect).label("day")
        statement = (
            select(day, func.count().label("total"))
            .where(users.created >= since, users.created < until)
            .group_by(day)
            .order_by(day)
        )
        return [
            (_as_date(row["day"]), int(row["total"])) for row in await self._reads.rows(statement)
        ]

    async def ping(self) -> None:
        await self._reads.rows(select(1))
