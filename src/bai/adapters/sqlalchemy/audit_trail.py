from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.operators import audit_entry_of_row, row_of_audit_entry
from bai.adapters.rows.tables import audit
from bai.domain.operators import AuditEntry
from bai.ports.audit_trail import AuditTrail

from .reads import Reads, newest_first
from .transactions import changed

entries = audit.c


class SqlAlchemyAuditTrail(AuditTrail):
    """The audit trail in PostgreSQL or SQLite: an entry is one `INSERT`, and this adapter has
    no statement that updates or deletes one. A listing is one statement on `(at, id)` or
    `(target, at, id)`, read backwards from the keyset position."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = Reads(engine)

    async def record(self, entry: AuditEntry) -> None:
        await changed(self._engine, insert(audit).values(row_of_audit_entry(entry)))

    async def recent(
        self, *, limit: int, target: str = "", before: tuple[datetime, str] | None = None
    ) -> list[AuditEntry]:
        about = (entries.target, target)
        listing = newest_first(audit, entries.at, about=about, limit=limit, before=before)
        return [audit_entry_of_row(row) for row in await self._reads.rows(listing)]
