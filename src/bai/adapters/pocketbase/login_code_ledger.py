from bai.adapters.rows.login_codes import (
    Row,
    answer_of,
    poll_answer,
    row_of,
)
from bai.ports.login_code_ledger import CLAIM_SECONDS, CodeAnswer, CodeClaim, LoginCodeLedger

from .client import PocketBaseClient


class PocketBaseLoginCodeLedger(LoginCodeLedger):
    """The ledger in the live PocketBase (a table BAI's hook keeps, `_bai_login_codes`, on
    PocketBase's clock, swept every minute by the hook), so every BAI process beside one
    PocketBase shares it."""

    def __init__(self, client: PocketBaseClient, *, claim_seconds: float = CLAIM_SECONDS) -> None:
        self._client = client
        self._claim_seconds = float(claim_seconds)

    async def claim(self, key: str) -> CodeClaim:
        _, answer = await self._client.call("claim", key=key, seconds=self._claim_seconds)
        if answer.get("mine"):
            return CodeClaim(mine=True)
        row = await self._row(key)
        return CodeClaim(answer=answer_of(*row) if row is not None else None)

    async def settle(self, key: str, answer: CodeAnswer, *, keep_seconds: int) -> None:
        state, openid, unionid = row_of(answer)
        await self._client.call(
            "settle", key=key, state=state, openid=openid, unionid=unionid, seconds=keep_seconds
        )

    async def release(self, key: str) -> None:
        await self._client.call("release", key=key)

    async def wait(self, key: str) -> CodeAnswer | None:
        return await poll_answer(lambda: self._row(key), self._claim_seconds)

    async def _row(self, key: str) -> Row | None:
        _, answer = await self._client.call("read", key=key)
        row = answer.get("row")
        if not isinstance(row, dict):
            return None
        return str(row.get("state", "")), str(row.get("openid", "")), str(row.get("unionid", ""))
