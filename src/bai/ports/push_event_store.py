from datetime import datetime
from typing import Protocol

from bai.domain.push_events import PushEventRecord


class PushEventStore(Protocol):
    """The record of WeChat's push events received, kept for a configurable time.

    Raises `StorageUnavailable` when the store cannot be reached."""

    async def seen(self, event_id: str) -> bool:
        """Whether an event with this id is recorded (a delivery WeChat repeats)."""
        ...

    async def add(self, record: PushEventRecord) -> bool:
        """Keep `record` unless one with its id is kept already (then False, nothing changed:
        of concurrent adds of one id exactly one is True)."""
        ...

    async def forget(self, event_id: str) -> None:
        """Remove the record with this id (its event could not be applied: WeChat's retry
        applies it); nothing when there is none."""
        ...

    async def recent(
        self, *, limit: int, pb_id: str = "", before: tuple[datetime, str] | None = None
    ) -> list[PushEventRecord]:
        """At most `limit` records, newest received first (ties by id, descending); only the
        user's with `pb_id`; only those before `(received, id)` with `before` (keyset paging)."""
        ...

    async def sweep(self, *, received_before: datetime) -> int:
        """Remove records received before `received_before`; how many."""
        ...
