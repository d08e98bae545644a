import time
from typing import Any

from sqlalchemy import ColumnElement, Double, delete, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.login_codes import (
    SWEEP_EVERY_SECONDS,
    Row,
    answer_of,
    poll_answer,
    row_of,
)
from bai.adapters.rows.outages import storage_errors
from bai.adapters.rows.tables import login_codes
from bai.ports.login_code_ledger import CLAIM_SECONDS, CodeAnswer, CodeClaim, LoginCodeLedger

from .transactions import write_transaction

# The database's clock, in seconds since the epoch, so hosts whose clocks differ agree.
CLOCKS: dict[str, ColumnElement[float]] = {
    "postgresql": literal_column("extract(epoch from clock_timestamp())", Double),
    "sqlite": literal_column("((julianday('now') - 2440587.5) * 86400.0)", Double),
}
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class SqlAlchemyLoginCodeLedger(LoginCodeLedger):
    """The ledger in `tbl_login_codes`, on PostgreSQL or SQLite (one database file shared by
    the processes of one host). Waiters poll the row; expired rows are swept once a minute."""

    def __init__(self, engine: AsyncEngine, *, claim_seconds: float = CLAIM_SECONDS) -> None:
        dialect = engine.dialect.name
        if dialect not in CLOCKS:
            raise ValueError(f"the SQLAlchemy login code ledger does not support {dialect}")
        self._engine = engine
        self._now = CLOCKS[dialect]
        self._insert = INSERTS[dialect]
        self._claim_seconds = float(claim_seconds)
        self._swept_at = 0.0

    async def claim(self, key: str) -> CodeClaim:
        columns = login_codes.c
        fresh = {"state": "pending", "openid": "", "unionid": ""}
        statement: Any = self._insert(login_codes).values(
            code_hash=key, expires_at=self._now + self._claim_seconds, **fresh
        )
        statement = statement.on_conflict_do_update(
            index_elements=[columns.code_hash],
            set_={**fresh, "expires_at": statement.excluded.expires_at},
            where=columns.expires_at <= self._now,
        ).returning(columns.code_hash)
        async with write_transaction(self._engine) as connection:
            if time.monotonic() - self._swept_at > SWEEP_EVERY_SECONDS:
                self._swept_at = time.monotonic()
                await connection.execute(delete(login_codes).where(columns.expires_at < self._now))
            if (await connection.execute(statement)).first() is not None:
                return CodeClaim(mine=True)
        return CodeClaim(answer=await self._read(key))

    async def _read(self, key: str) -> CodeAnswer | None:
        row = await self._row(key)
        return answer_of(*row) if row is not None else None

    async def _row(self, key: str) -> Row | None:
        columns = login_codes.c
        query = select(columns.state, columns.openid, columns.unionid).where(
            columns.code_hash == key, columns.expires_at > self._now
        )
        async with storage_errors(), self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return (row.state, row.openid, row.unionid) if row is not None else None

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        state, openid, unionid = row_of(answer)
        statement = (
            update(login_codes)
            .where(login_codes.c.code_hash == key)
            .values(
                state=state, openid=openid, unionid=unionid, expires_at=self._now + keep_seconds
            )
        )
        async with write_transaction(self._engine) as connection:
            await connection.execute(statement)

    async def release(self, key: str) -> None:
        columns = login_codes.c
        statement = delete(login_codes).where(columns.code_hash == key, columns.state == "pending")
        async with write_transaction(self._engine) as connection:
            await connection.execute(statement)

    async def wait(self, key: str) -> CodeAnswer | None:
        return await poll_answer(lambda: self._row(key), self._claim_seconds)
