import time
from typing import Any

import asyncpg

from bai.adapters.rows.login_codes import (
    SWEEP_EVERY_SECONDS,
    Row,
    answer_of,
    poll_answer,
    row_of,
)
from bai.ports.login_code_ledger import (
    CLAIM_SECONDS,
    CodeAnswer,
    CodeClaim,
    LoginCodeLedger,
    Settlement,
)

from .pool import LazyPool

NOW = "extract(epoch from clock_timestamp())"
# Take the code, or take over a claim or answer that lapsed; nothing when another holds it.
CLAIM = (
    "INSERT INTO tbl_login_codes AS c (code_hash, state, openid, unionid, expires_at)"  # noqa: S608
    f" VALUES ($1, 'pending', '', '', {NOW} + $2)"
    " ON CONFLICT (code_hash) DO UPDATE SET state = 'pending', openid = '', unionid = '',"
    f" expires_at = EXCLUDED.expires_at WHERE c.expires_at <= {NOW}"
    " RETURNING code_hash"
)
READ = (
    "SELECT state, openid, unionid FROM tbl_login_codes"  # noqa: S608
    f" WHERE code_hash = $1 AND expires_at > {NOW}"
)


def settle_statement(first: int) -> str:
    """What records an answer, its parameters (`settle_values`) numbered from `first`: alone,
    or as a `WITH` of the statement that signs the code's holder in (the session store's)."""
    key, state, openid, unionid, kept = (f"${first + n}" for n in range(5))
    return (
        f"UPDATE tbl_login_codes SET state = {state}, openid = {openid}, unionid = {unionid},"  # noqa: S608
        f" expires_at = {NOW} + {kept} WHERE code_hash = {key}"
    )


def settle_values(settlement: Settlement) -> list[Any]:
    answer, kept = settlement.answer, float(settlement.keep_seconds)
    return [settlement.key, *row_of(answer), kept]


SETTLE = settle_statement(1)
RELEASE = "DELETE FROM tbl_login_codes WHERE code_hash = $1 AND state = 'pending'"
SWEEP = f"DELETE FROM tbl_login_codes WHERE expires_at < {NOW}"  # noqa: S608


class AsyncpgLoginCodeLedger(LoginCodeLedger):
    """The ledger in PostgreSQL's `tbl_login_codes` (unlogged: it is transient), on the
    database's clock so that hosts whose clocks differ agree. Waiters poll the row; expired
    rows are swept once a minute by each process."""

    def __init__(self, pool: LazyPool, *, claim_seconds: float = CLAIM_SECONDS) -> None:
        self._pool = pool
        self._claim_seconds = float(claim_seconds)
        self._swept_at = 0.0

    async def _run(self, method: str, query: str, *args: Any) -> Any:
        async with self._pool.connection() as connection:
            return await getattr(connection, method)(query, *args)

    async def claim(self, key: str) -> CodeClaim:
        if time.monotonic() - self._swept_at > SWEEP_EVERY_SECONDS:
            self._swept_at = time.monotonic()
            await self._run("execute", SWEEP)
        if await self._run("fetchval", CLAIM, key, self._claim_seconds) is not None:
            return CodeClaim(mine=True)
        return CodeClaim(answer=await self._read(key))

    async def _read(self, key: str) -> CodeAnswer | None:
        row = await self._row(key)
        return answer_of(*row) if row is not None else None

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        await self._run("execute", SETTLE, *settle_values(Settlement(key, answer, keep_seconds)))

    async def release(self, key: str) -> None:
        await self._run("execute", RELEASE, key)

    async def wait(self, key: str) -> CodeAnswer | None:
        return await poll_answer(lambda: self._row(key), self._claim_seconds)

    async def _row(self, key: str) -> Row | None:
        row: asyncpg.Record | None = await self._run("fetchrow", READ, key)
        return (row["state"], row["openid"], row["unionid"]) if row is not None else None
