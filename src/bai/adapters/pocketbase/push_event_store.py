from datetime import datetime

from bai.domain.push_events import PushEventRecord
from bai.ports.push_event_store import PushEventStore

from .client import PocketBaseClient, served_all
from .declared_records import push_event_of, push_event_record
from .records import keyset, pocketbase_time

EVENTS = "tbl_wechat_push_events"


class PocketBasePushEventStore(PushEventStore):
    """Push event records in a live PocketBase's `tbl_wechat_push_events`
    (`pb_migrations/1700000003_bai_push_events.js`), whose `pb_id` is text, not a relation: a
    record outlives its user. Every call is one request to BAI's hook
    (`pb_hooks/bai_push_events.js`); an add reads and saves in one PocketBase transaction.
    PocketBase keeps times to the millisecond."""

    def __init__(self, client: PocketBaseClient) -> None:
        self._client = client

    async def seen(self, event_id: str) -> bool:
        _, answer = await self._client.call("push_seen", id=event_id)
        return answer.get("seen") is True

    async def add(self, record: PushEventRecord) -> bool:
        _, answer = await self._client.call("push_add", **push_event_record(record))
        return answer.get("added") is True

    async def forget(self, event_id: str) -> None:
        await self._client.call("push_forget", id=event_id)

    async def recent(
        self, *, limit: int, pb_id: str = "", before: tuple[datetime, str] | None = None
    ) -> list[PushEventRecord]:
        _, answer = await self._client.call(
            "push_recent", limit=limit, pb_id=pb_id, **keyset(before)
        )
        return served_all(push_event_of, answer, "events", EVENTS)

    async def sweep(self, *, received_before: datetime) -> int:
        _, answer = await self._client.call(
            "push_sweep", received_before=pocketbase_time(received_before)
        )
        return int(answer.get("removed", 0))
