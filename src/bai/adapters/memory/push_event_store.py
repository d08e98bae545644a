from datetime import datetime

from bai.domain.push_events import PushEventRecord
from bai.ports.push_event_store import PushEventStore

from .listing import newest_first


def _position(record: PushEventRecord) -> tuple[datetime, str]:
    return record.received, record.id


class InMemoryPushEventStore(PushEventStore):
    """Push event records in a dictionary by id. No method awaits while it reads and writes,
    so each is atomic on one event loop: of concurrent adds of one id, one keeps it."""

    def __init__(self) -> None:
        self._records: dict[str, PushEventRecord] = {}

    async def seen(self, event_id: str) -> bool:
        return event_id in self._records

    async def add(self, record: PushEventRecord) -> bool:
        if record.id in self._records:
            return False
        self._records[record.id] = record
        return True

    async def forget(self, event_id: str) -> None:
        self._records.pop(event_id, None)

    async def recent(
        self, *, limit: int, pb_id: str = "", before: tuple[datetime, str] | None = None
    ) -> list[PushEventRecord]:
        theirs = [r for r in self._records.values() if not pb_id or r.pb_id == pb_id]
        return newest_first(theirs, _position, limit=limit, before=before)

    async def sweep(self, *, received_before: datetime) -> int:
        gone = [r.id for r in self._records.values() if r.received < received_before]
        for event_id in gone:
            del self._records[event_id]
        return len(gone)
