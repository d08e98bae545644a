from datetime import datetime

from bai.domain.operators import AuditEntry
from bai.ports.audit_trail import AuditTrail

from .client import PocketBaseClient, served_all
from .declared_records import audit_entry_of, audit_entry_record
from .records import keyset

AUDIT = "tbl_bai_audit"


class PocketBaseAuditTrail(AuditTrail):
    """The audit trail in a live PocketBase's `tbl_bai_audit`
    (`pb_migrations/1700000004_bai_operators_and_audit.js`, superusers only). BAI's hook
    (`pb_hooks/bai_operators.js`) has two ops for it, one that saves an entry and one that
    lists them: none changes or removes one. PocketBase keeps times to the millisecond."""

    def __init__(self, client: PocketBaseClient) -> None:
        self._client = client

    async def record(self, entry: AuditEntry) -> None:
        await self._client.call("audit_record", **audit_entry_record(entry))

    async def recent(
        self, *, limit: int, target: str = "", before: tuple[datetime, str] | None = None
    ) -> list[AuditEntry]:
        _, answer = await self._client.call(
            "audit_recent", limit=limit, target=target, **keyset(before)
        )
        return served_all(audit_entry_of, answer, "entries", AUDIT)
