from datetime import datetime

from bai.domain.operators import AuditEntry
from bai.ports.audit_trail import AuditTrail

from .listing import newest_first


def _position(entry: AuditEntry) -> tuple[datetime, str]:
    return entry.at, entry.id


class InMemoryAuditTrail(AuditTrail):
    """The audit trail in a list, appended to and never changed."""

    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    async def recent(
        self, *, limit: int, target: str = "", before: tuple[datetime, str] | None = None
    ) -> list[AuditEntry]:
        about = [entry for entry in self._entries if not target or entry.target == target]
        return newest_first(about, _position, limit=limit, before=before)
