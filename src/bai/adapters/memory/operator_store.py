from dataclasses import replace
from datetime import datetime
from typing import Any

from bai.domain.operators import Operator, OperatorRole
from bai.ports.operator_store import OperatorStore


class InMemoryOperatorStore(OperatorStore):
    """Operators in a dictionary by email. No method awaits while it reads and writes, so each
    is atomic on one event loop: of concurrent adds of one email, one keeps it."""

    def __init__(self) -> None:
        self._operators: dict[str, Operator] = {}

    async def add(self, operator: Operator) -> bool:
        if operator.email in self._operators:
            return False
        self._operators[operator.email] = operator
        return True

    async def by_email(self, email: str) -> Operator | None:
        return self._operators.get(email)

    async def all(self) -> list[Operator]:
        return [self._operators[email] for email in sorted(self._operators)]

    async def count(self) -> int:
        return len(self._operators)

    async def set_password(self, email: str, password_hash: str, *, updated: datetime) -> bool:
        return self._change(email, password_hash=password_hash, updated=updated)

    async def set_role(self, email: str, role: OperatorRole, *, updated: datetime) -> bool:
        return self._change(email, role=role, updated=updated)

    async def remove(self, email: str) -> bool:
        return self._operators.pop(email, None) is not None

    def _change(self, email: str, **changes: Any) -> bool:
        if (operator := self._operators.get(email)) is None:
            return False
        self._operators[email] = replace(operator, **changes)
        return True
