from datetime import datetime

from sqlalchemy import delete, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.push_events import push_event_of_row, row_of_push_event
from bai.adapters.rows.tables import UtcDateTime, wechat_push_events
from bai.domain.push_events import PushEventRecord
from bai.ports.push_event_store import PushEventStore

from .reads import Reads, dialect_insert, newest_first
from .transactions import changed, delete_in_batches, inserted_unless_taken

events = wechat_push_events.c


class SqlAlchemyPushEventStore(PushEventStore):
    """Push event records in PostgreSQL or SQLite. An add is one `INSERT … ON CONFLICT (id) DO
    NOTHING`, so of concurrent adds of one event the primary key lets one in; a listing is one
    statement on `(received, id)` or `(pb_id, received, id)`, read backwards from the keyset
    position; the sweep removes in batches, as the session store's does."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = Reads(engine)
        self._insert = dialect_insert(engine, "push event store")

    async def seen(self, event_id: str) -> bool:
        return bool(await self._reads.rows(select(events.id).where(events.id == event_id)))

    async def add(self, record: PushEventRecord) -> bool:
        row = row_of_push_event(record)
        return await inserted_unless_taken(
            self._engine, self._insert, wechat_push_events, row, key="id"
        )

    async def forget(self, event_id: str) -> None:
        await changed(self._engine, delete(wechat_push_events).where(events.id == event_id))

    async def recent(
        self, *, limit: int, pb_id: str = "", before: tuple[datetime, str] | None = None
    ) -> list[PushEventRecord]:
        listing = newest_first(
            wechat_push_events,
            events.received,
            about=(events.pb_id, pb_id),
            limit=limit,
            before=before,
        )
        return [push_event_of_row(row) for row in await self._reads.rows(listing)]

    async def sweep(self, *, received_before: datetime) -> int:
        due = events.received < literal(received_before, UtcDateTime)
        return await delete_in_batches(self._engine, wechat_push_events, due)
