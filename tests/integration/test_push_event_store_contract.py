"""One contract for every `PushEventStore`: memory, SQLite, PostgreSQL (the storage, the
SQLAlchemy store alone, and through PgBouncer) and PocketBase (through BAI's hook) behave
alike. Times are kept to the millisecond, as PocketBase keeps them."""

import asyncio
import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bai.adapters.sqlalchemy import transactions
from bai.adapters.storage import Storage
from bai.domain.push_events import PushEventRecord, PushEventType, PushOutcome
from tests.support.identity_stores import PRIMARY, backend, backend_url

__all__ = ["backend", "backend_url"]
AT = datetime(2026, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
USER = "u00000000000001"
_numbers = iter(range(10**6))


def a_record(*, at: datetime = AT, pb_id: str = USER) -> PushEventRecord:
    number = next(_numbers)
    return PushEventRecord(
        id=hashlib.sha256(f"event-{number}".encode()).hexdigest(),
        appid=PRIMARY,
        event=PushEventType.REVOKE.value,
        sent=at - timedelta(seconds=2),
        received=at,
        outcome=PushOutcome.CLEARED,
        fields="users_phone",
        revoke_info="8",
        pb_id=pb_id,
        openid_hash=hashlib.sha256(f"openid-{number}".encode()).hexdigest(),
    )


async def test_a_record_is_kept_whole(backend: Storage) -> None:
    record = replace(
        a_record(),
        sent=datetime(2026, 5, 6, 15, 8, 7, 1000, tzinfo=timezone(timedelta(hours=8))),
        received=datetime(2026, 5, 6, 7, 8, 9, 999000, tzinfo=UTC),
        fields="users_name,users_picture",
        revoke_info="6,8,31",
    )

    assert not await backend.push_events.seen(record.id)
    assert await backend.push_events.add(record)

    assert await backend.push_events.seen(record.id)
    assert await backend.push_events.recent(limit=10) == [record]


async def test_a_record_without_a_user_is_kept_whole(backend: Storage) -> None:
    record = replace(
        a_record(pb_id=""),
        event="weapp_other",
        outcome=PushOutcome.IGNORED,
        fields="",
        revoke_info="",
        openid_hash="",
    )

    await backend.push_events.add(record)

    assert await backend.push_events.recent(limit=10) == [record]


async def test_a_second_add_of_one_id_changes_nothing(backend: Storage) -> None:
    first = a_record()
    await backend.push_events.add(first)

    again = replace(first, received=AT + timedelta(minutes=1), outcome=PushOutcome.REPEATED)

    assert not await backend.push_events.add(again)
    assert await backend.push_events.recent(limit=10) == [first]


async def test_a_forgotten_record_is_gone_and_its_id_free(backend: Storage) -> None:
    forgotten, kept = a_record(), a_record()
    await backend.push_events.add(forgotten)
    await backend.push_events.add(kept)

    await backend.push_events.forget(forgotten.id)
    await backend.push_events.forget("f" * 64)  # none such: nothing

    assert not await backend.push_events.seen(forgotten.id)
    assert await backend.push_events.recent(limit=10) == [kept]
    assert await backend.push_events.add(forgotten)


async def test_of_concurrent_adds_of_one_id_exactly_one_keeps_it(backend: Storage) -> None:
    record = a_record()

    added = await asyncio.gather(
        *(
            backend.push_events.add(replace(record, received=AT + timedelta(seconds=n)))
            for n in range(20)
        )
    )

    assert sum(added) == 1
    assert len(await backend.push_events.recent(limit=50)) == 1


async def test_recent_records_come_newest_first_then_by_id(backend: Storage) -> None:
    records = [a_record(at=AT + timedelta(seconds=n)) for n in range(3)]
    tied = [a_record(at=AT + timedelta(seconds=1)) for _ in range(2)]
    for record in [*records, *tied]:
        await backend.push_events.add(record)

    listed = await backend.push_events.recent(limit=10)

    middle = sorted([records[1], *tied], key=lambda record: record.id, reverse=True)
    assert listed == [records[2], *middle, records[0]]
    assert await backend.push_events.recent(limit=2) == listed[:2]


async def test_pages_follow_one_another_by_their_last_record(backend: Storage) -> None:
    records = [a_record(at=AT + timedelta(seconds=n // 2)) for n in range(7)]
    for record in records:
        await backend.push_events.add(record)
    everything = await backend.push_events.recent(limit=10)

    pages, before = [], None
    while page := await backend.push_events.recent(limit=3, before=before):
        pages.append(page)
        before = (page[-1].received, page[-1].id)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [record for page in pages for record in page] == everything


async def test_a_users_records_alone_are_listed_for_them(backend: Storage) -> None:
    theirs = [a_record(at=AT + timedelta(seconds=n)) for n in range(3)]
    others = [a_record(at=AT + timedelta(seconds=n), pb_id="u00000000000002") for n in range(2)]
    for record in [*theirs, *others, a_record(pb_id="")]:
        await backend.push_events.add(record)

    listed = await backend.push_events.recent(limit=10, pb_id=USER)
    before = (theirs[2].received, theirs[2].id)

    assert listed == theirs[::-1]
    assert await backend.push_events.recent(limit=10, pb_id=USER, before=before) == theirs[1::-1]
    assert await backend.push_events.recent(limit=10, pb_id="u00000000000009") == []


async def test_the_sweep_removes_only_records_received_before_its_time(backend: Storage) -> None:
    old = [a_record(at=AT - timedelta(days=400, seconds=n)) for n in range(3)]
    edge, recent = a_record(at=AT), a_record(at=AT + timedelta(days=1))
    for record in [*old, edge, recent]:
        await backend.push_events.add(record)

    assert await backend.push_events.sweep(received_before=AT) == 3

    assert await backend.push_events.recent(limit=10) == [recent, edge]
    assert not await backend.push_events.seen(old[0].id)
    assert await backend.push_events.sweep(received_before=AT) == 0


@pytest.mark.parametrize("backend_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_sql_sweep_removes_every_batch_and_counts_them_all(
    backend: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transactions, "SWEEP_BATCH", 2)
    old = [a_record(at=AT - timedelta(days=400, seconds=n)) for n in range(5)]
    recent = a_record()
    for record in [*old, recent]:
        await backend.push_events.add(record)

    assert await backend.push_events.sweep(received_before=AT) == 5

    assert await backend.push_events.recent(limit=10) == [recent]
