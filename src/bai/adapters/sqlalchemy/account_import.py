"""Imported accounts added to PostgreSQL or SQLite, keeping their ids, keys and times."""

from typing import Any

from sqlalchemy import Integer, String, Table, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.identities import row_of_identity
from bai.adapters.rows.sessions import row_of_session
from bai.adapters.rows.tables import auth_identities, auth_sessions, auth_users, companies
from bai.adapters.rows.users import row_of_user
from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.ports.account_import import AccountStore, Added, Unreadable, identity_name

from .reads import INSERTS
from .transactions import write_transaction

INTEGER_BOUNDS = (-(2**31), 2**31 - 1)
NO_USER = "its user is not in BAI's database"
IDENTITY_HELD = "another user holds its app id and openid, or its user has another in that app"


class SqlAlchemyAccountStore(AccountStore):
    """One transaction per batch: rows whose id is there already are left alone, the rest are
    inserted with `ON CONFLICT DO NOTHING`, and the ones still missing afterwards lost to another
    row's unique value. Supports PostgreSQL and SQLite; refuses other dialects."""

    def __init__(self, engine: AsyncEngine) -> None:
        if engine.dialect.name not in INSERTS:
            raise ValueError(f"importing into {engine.dialect.name} is not supported")
        self._engine = engine
        self._insert = INSERTS[engine.dialect.name]

    async def add_companies(self, batch: list[Company]) -> Added:
        rows = [
            {column.name: getattr(company, column.name) for column in companies.c}
            for company in batch
        ]
        return await self._add(companies, rows)

    async def add_users(self, batch: list[User]) -> Added:
        return await self._add(auth_users, [row_of_user(user) for user in batch])

    async def add_identities(self, batch: list[Identity]) -> Added:
        """Identities of users the database holds (the foreign key would refuse the others),
        inserted with `ON CONFLICT DO NOTHING`; one held already by its user is left as it is,
        and the ones not there afterwards lost to another identity's key."""
        refused = [
            Unreadable(identity_name(each), problem)
            for each in batch
            if (problem := _misfit(auth_identities, row_of_identity(each)))
        ]
        batch = [each for each in batch if not _misfit(auth_identities, row_of_identity(each))]
        pb_ids = {each.pb_id for each in batch}
        columns = auth_identities.c
        of_users = select(columns.appid, columns.openid, columns.pb_id).where(
            columns.pb_id.in_(pb_ids)
        )
        async with write_transaction(self._engine) as connection:
            held = select(auth_users.c.pb_id).where(auth_users.c.pb_id.in_(pb_ids))
            users = set((await connection.execute(held)).scalars())
            before = {tuple(row) for row in await connection.execute(of_users)}
            new = [each for each in batch if each.pb_id in users and _key(each) not in before]
            if new:
                insert = self._insert(auth_identities).on_conflict_do_nothing()
                await connection.execute(insert, [row_of_identity(each) for each in new])
            after = {tuple(row) for row in await connection.execute(of_users)}
        refused += [
            Unreadable(identity_name(each), IDENTITY_HELD if each.pb_id in users else NO_USER)
            for each in batch
            if _key(each) not in after
        ]
        added = [each for each in new if _key(each) in after]
        present = [each for each in batch if _key(each) in before]
        return Added(added=len(added), present=len(present), refused=refused)

    async def add_sessions(self, batch: list[Session]) -> Added:
        """Sessions of users the database holds (the foreign key would refuse the others), by
        id: one there already is left as it is."""
        refused = [
            Unreadable(each.id, problem)
            for each in batch
            if (problem := _misfit(auth_sessions, row_of_session(each)))
        ]
        batch = [each for each in batch if not _misfit(auth_sessions, row_of_session(each))]
        ids = [each.id for each in batch]
        held_users = select(auth_users.c.pb_id).where(
            auth_users.c.pb_id.in_({each.pb_id for each in batch})
        )
        held = select(auth_sessions.c.id).where(auth_sessions.c.id.in_(ids))
        async with write_transaction(self._engine) as connection:
            users = set((await connection.execute(held_users)).scalars())
            present = set((await connection.execute(held)).scalars())
            new = [each for each in batch if each.pb_id in users and each.id not in present]
            if new:
                insert = self._insert(auth_sessions).on_conflict_do_nothing()
                await connection.execute(insert, [row_of_session(each) for each in new])
            after = set((await connection.execute(held)).scalars())
        refused += [
            Unreadable(
                each.id, NO_USER if each.pb_id not in users else "another session holds its id"
            )
            for each in batch
            if each.id not in after
        ]
        return Added(added=len(after - present), present=len(present), refused=refused)

    async def _add(self, table: Table, rows: list[dict[str, Any]]) -> Added:
        refused = [
            Unreadable(row["pb_id"], problem) for row in rows if (problem := _misfit(table, row))
        ]
        rows = [row for row in rows if not _misfit(table, row)]
        ids = [row["pb_id"] for row in rows]
        async with write_transaction(self._engine) as connection:
            held = select(table.c.pb_id).where(table.c.pb_id.in_(ids))
            present = set((await connection.execute(held)).scalars())
            new = [row for row in rows if row["pb_id"] not in present]
            if new:
                await connection.execute(self._insert(table).on_conflict_do_nothing(), new)
            added = set((await connection.execute(held)).scalars()) - present
        refused += [
            Unreadable(row["pb_id"], "another record holds one of its unique values")
            for row in new
            if row["pb_id"] not in added
        ]
        return Added(added=len(added), present=len(present), refused=refused)


def _key(identity: Identity) -> tuple[str, str, str]:
    return identity.appid, identity.openid, identity.pb_id


def _misfit(table: Table, row: dict[str, Any]) -> str:
    """Why `row` does not fit the table's columns ("" when it does)."""
    for column in table.c:
        value, kind = row[column.name], column.type
        if isinstance(kind, String) and kind.length and len(value) > kind.length:
            return f"{column.name} is longer than {kind.length} characters"
        if isinstance(kind, Integer) and not INTEGER_BOUNDS[0] <= value <= INTEGER_BOUNDS[1]:
            return f"{column.name} is out of range"
    return ""
