from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.operators import operator_of_row, row_of_operator
from bai.adapters.rows.tables import operators
from bai.domain.operators import Operator, OperatorRole
from bai.ports.operator_store import OperatorStore

from .reads import Reads, dialect_insert
from .transactions import changed, inserted_unless_taken

columns = operators.c


class SqlAlchemyOperatorStore(OperatorStore):
    """Operators in PostgreSQL or SQLite. An add is one `INSERT … ON CONFLICT (email) DO
    NOTHING`, so of concurrent adds of one email the unique index lets one in; every change is
    one statement. `all` sorts in code-point order, as memory and PocketBase (SQLite's binary
    collation) do, whatever PostgreSQL's collation says."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = Reads(engine)
        self._insert = dialect_insert(engine, "operator store")

    async def add(self, operator: Operator) -> bool:
        row = row_of_operator(operator)
        return await inserted_unless_taken(self._engine, self._insert, operators, row, key="email")

    async def by_email(self, email: str) -> Operator | None:
        rows = await self._reads.rows(select(operators).where(columns.email == email))
        return operator_of_row(rows[0]) if rows else None

    async def all(self) -> list[Operator]:
        everyone = [operator_of_row(row) for row in await self._reads.rows(select(operators))]
        return sorted(everyone, key=lambda operator: operator.email)

    async def count(self) -> int:
        rows = await self._reads.rows(select(func.count().label("total")).select_from(operators))
        return int(rows[0]["total"])

    async def set_password(self, email: str, password_hash: str, *, updated: datetime) -> bool:
        return await self._change(email, password_hash=password_hash, updated=updated)

    async def set_role(self, email: str, role: OperatorRole, *, updated: datetime) -> bool:
        return await self._change(email, role=role.value, updated=updated)

    async def remove(self, email: str) -> bool:
        return await changed(self._engine, delete(operators).where(columns.email == email)) == 1

    async def _change(self, email: str, **values: Any) -> bool:
        statement = update(operators).where(columns.email == email).values(**values)
        return await changed(self._engine, statement) == 1
