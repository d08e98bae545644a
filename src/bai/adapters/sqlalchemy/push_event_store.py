from datetime import datetime

from sqlalchemy import literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.rows.push_events import push_event_of_row, row_of_push_event
from bai.adapters.rows.tables import UtcDateTime, wechat_push_events
from bai.domain.push_events import PushEventRecord
from bai.ports.push_event_store import PushEventStore

from .reads import Reads, dialect_insert
from .transactions import delete_in_batches, write_transaction

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
        statement = (
            self._insert(wechat_push_events)
            .values(row_of_push_event(record))
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(events.id)
        )
        async with write_transaction(self._engine) as connection:
            return (await connection.execute(statement)).first() is not None

    async def recent(
        self, *, limit: int, pb_id: str = "", before: tuple[datetime, str] | None = None
    ) -> list[PushEventRecord]:
        statement = select(wechat_push_events)
        if pb_id:
            statement = statement.where(events.pb_id == pb_id)
        if before is not None:
            position = tuple_(literal(before[0], UtcDateTime), literal(before[1]))
            statement = statement.where(tuple_(events.received, events.id) < position)
        newest_first = statement.order_by(events.received.desc(), events.id.desc()).limit(limit)
        return [push_event_of_row(row) for row in await self._reads.rows(newest_first)]

    async def sweep(self, *, received_before: datetime) -> int:
        due = events.received < literal(received_before, UtcDateTime)
        return await delete_in_batches(self._engine, wechat_push_events, due)
