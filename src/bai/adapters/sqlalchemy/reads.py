"""What the SQLAlchemy adapters share: the user read with its company, single-statement reads
outside any transaction, keyset listings newest first, and the dialects they write SQL for."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from weakref import WeakSet

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    FromClause,
    RowMapping,
    Select,
    Table,
    and_,
    literal,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bai.adapters.rows.outages import storage_errors
from bai.adapters.rows.retry import read_with_one_retry
from bai.adapters.rows.tables import UtcDateTime, auth_users, companies
from bai.adapters.rows.users import COMPANY_PREFIX, user_of_row
from bai.domain.entities import User

# The dialects the adapters write SQL for (`INSERT ... ON CONFLICT` of each).
INSERTS: dict[str, Callable[[Table], Any]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
_COMPANY_COLUMNS = [column.label(f"{COMPANY_PREFIX}{column.name}") for column in companies.c]


def dialect_insert(engine: AsyncEngine, adapter: str) -> Callable[[Table], Any]:
    """The `insert` of `engine`'s dialect; any dialect but these two is refused."""
    dialect = engine.dialect.name
    if dialect not in INSERTS:
        raise ValueError(f"the SQLAlchemy {adapter} does not support {dialect}")
    return INSERTS[dialect]


def users_with_company(source: FromClause = auth_users) -> Select[Any]:
    """The user's columns and its company's (`user_of_row`'s shape), from `source`: the users,
    or a join that holds them."""
    return select(auth_users, *_COMPANY_COLUMNS).select_from(
        source.outerjoin(
            companies,
            and_(auth_users.c.company_id != "", companies.c.company_id == auth_users.c.company_id),
        )
    )


SELECT_USERS = users_with_company()


def holding(column: Column[str], value: str) -> ColumnElement[bool]:
    """The rows whose `column`, unique where not empty, is `value`, in terms its partial index
    serves: the index's own condition, as a literal, beside the comparison (SQLite uses a
    partial index only then, PostgreSQL on a generic plan only then)."""
    return and_(column == value, text(f"{column.table.name}.{column.name} <> ''"))


def newest_first(
    table: Table,
    time: Column[datetime],
    *,
    about: tuple[Column[str], str],
    limit: int,
    before: tuple[datetime, str] | None,
) -> Select[Any]:
    """At most `limit` rows of `table`, newest first by `(time, id)` (ties by id, descending);
    only those whose column `about[0]` holds `about[1]` when that is not empty; only those
    before the keyset position `before` when given: an index ending in `(time, id)` read
    backwards."""
    column, value = about
    statement, key = select(table), table.c.id
    if value:
        statement = statement.where(column == value)
    if before is not None:
        position = tuple_(literal(before[0], UtcDateTime), literal(before[1]))
        statement = statement.where(tuple_(time, key) < position)
    return statement.order_by(time.desc(), key.desc()).limit(limit)


def _invalidated(exc: Exception) -> bool:
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


_IN_TRANSACTIONS: WeakSet[Engine] = WeakSet()


def read_in_transactions(engine: AsyncEngine) -> None:
    """Make the reads of `engine` run in a transaction each (behind PgBouncer in transaction
    mode, where a statement prepared outside one may be run on another server session)."""
    _IN_TRANSACTIONS.add(engine.sync_engine)


class Reads:
    """Reads of one statement each, outside any transaction (no BEGIN/COMMIT round trips)
    unless the engine says otherwise (`read_in_transactions`), retried once on a connection
    found dead (`read_with_one_retry`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._reader = (
            engine
            if engine.sync_engine in _IN_TRANSACTIONS
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )

    async def rows(self, statement: Any) -> list[RowMapping]:
        async def once() -> list[RowMapping]:
            async with self._reader.connect() as connection:
                return list((await connection.execute(statement)).mappings().all())

        async with storage_errors():
            return await read_with_one_retry(once, lost=_invalidated)

    async def user(self, condition: Any) -> User | None:
        rows = await self.rows(SELECT_USERS.where(condition))
        return user_of_row(rows[0]) if rows else None


async def user_in(connection: AsyncConnection, condition: Any) -> User | None:
    """The user `condition` picks, read inside the transaction of `connection`."""
    row = (await connection.execute(SELECT_USERS.where(condition))).mappings().first()
    return user_of_row(row) if row is not None else None
