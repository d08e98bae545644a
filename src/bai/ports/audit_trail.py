from datetime import datetime
from typing import Protocol

from bai.domain.operators import AuditEntry


class AuditTrail(Protocol):
    """What operators did, kept as written: entries are added, never changed or removed.

    Raises `StorageUnavailable` when the store cannot be reached."""

    async def record(self, entry: AuditEntry) -> None: ...

    async def recent(
        self, *, limit: int, target: str = "", before: tuple[datetime, str] | None = None
    ) -> list[AuditEntry]:
        """At most `limit` entries, newest first (ties by id, descending); only those about
        `target` when given; only those before `(at, id)` with `before` (keyset paging)."""
        ...
