from datetime import datetime
from typing import Protocol

from bai.domain.operators import Operator, OperatorRole


class OperatorStore(Protocol):
    """The operator accounts. Emails are unique (compared as stored: callers lower-case them).

    Raises `StorageUnavailable` when the store cannot be reached."""

    async def add(self, operator: Operator) -> bool:
        """Keep `operator`; False, nothing changed, when its email is taken (of concurrent adds
        of one email exactly one is True)."""
        ...

    async def by_email(self, email: str) -> Operator | None: ...

    async def all(self) -> list[Operator]:
        """Every operator, by email."""
        ...

    async def count(self) -> int: ...

    async def set_password(self, email: str, password_hash: str, *, updated: datetime) -> bool:
        """False when there is no such operator."""
        ...

    async def set_role(self, email: str, role: OperatorRole, *, updated: datetime) -> bool:
        """False when there is no such operator."""
        ...

    async def remove(self, email: str) -> bool:
        """False when there was no such operator."""
        ...
