from datetime import datetime

from bai.domain.operators import Operator, OperatorRole
from bai.ports.operator_store import OperatorStore

from .client import PocketBaseClient, served_all, served_as
from .declared_records import operator_of, operator_record
from .records import pocketbase_time

OPERATORS = "tbl_bai_operators"


class PocketBaseOperatorStore(OperatorStore):
    """Operators in a live PocketBase's `tbl_bai_operators`
    (`pb_migrations/1700000004_bai_operators_and_audit.js`: a base collection, superusers only,
    its email unique). Every call is one request to BAI's hook (`pb_hooks/bai_operators.js`):
    an add reads and saves in one PocketBase transaction, a change or removal is one statement.
    PocketBase keeps times to the millisecond."""

    def __init__(self, client: PocketBaseClient) -> None:
        self._client = client

    async def add(self, operator: Operator) -> bool:
        _, answer = await self._client.call("operator_add", **operator_record(operator))
        return answer.get("added") is True

    async def by_email(self, email: str) -> Operator | None:
        _, answer = await self._client.call("operator_by_email", email=email)
        record = answer.get("operator")
        return served_as(operator_of, record, OPERATORS) if isinstance(record, dict) else None

    async def all(self) -> list[Operator]:
        _, answer = await self._client.call("operator_all")
        return served_all(operator_of, answer, "operators", OPERATORS)

    async def count(self) -> int:
        _, answer = await self._client.call("operator_count")
        return int(answer.get("total", 0))

    async def set_password(self, email: str, password_hash: str, *, updated: datetime) -> bool:
        return await self._change(
            "operator_set_password", email=email, password_hash=password_hash, updated=updated
        )

    async def set_role(self, email: str, role: OperatorRole, *, updated: datetime) -> bool:
        return await self._change(
            "operator_set_role", email=email, role=role.value, updated=updated
        )

    async def remove(self, email: str) -> bool:
        _, answer = await self._client.call("operator_remove", email=email)
        return answer.get("removed") is True

    async def _change(self, op: str, *, updated: datetime, **values: str) -> bool:
        _, answer = await self._client.call(op, updated=pocketbase_time(updated), **values)
        return answer.get("changed") is True
