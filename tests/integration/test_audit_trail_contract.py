"""One contract for every `AuditTrail`: memory, SQLite, PostgreSQL (the storage, the SQLAlchemy
store alone, and through PgBouncer) and PocketBase (through BAI's hook) behave alike. Times are
kept to the millisecond, as PocketBase keeps them."""

import inspect
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from bai.adapters.storage import Storage
from bai.domain.operators import AuditEntry
from tests.support.identity_stores import backend, backend_url

__all__ = ["backend", "backend_url"]
AT = datetime(2026, 5, 6, 7, 8, 9, 123000, tzinfo=UTC)
USER = "u00000000000001"
_numbers = iter(range(10**6))


def an_entry(*, at: datetime = AT, target: str = USER) -> AuditEntry:
    return AuditEntry(
        id=f"a{next(_numbers):014d}",
        at=at,
        actor="ops@example.com",
        action="users.disable",
        target=target,
        address="203.0.113.7",
    )


async def test_an_entry_is_kept_whole(backend: Storage) -> None:
    entry = replace(
        an_entry(at=datetime(2026, 5, 6, 15, 8, 7, 1000, tzinfo=timezone(timedelta(hours=8)))),
        actor="cli:ops",
        action="identities.link",
        target="c00000000000001",
        address="2001:db8::1",
        detail='{"pb_id": "u00000000000002", "app": "shop"} — 说明',
    )

    await backend.audit.record(entry)

    assert await backend.audit.recent(limit=10) == [entry]


async def test_an_entry_from_the_cli_has_no_address_or_detail(backend: Storage) -> None:
    entry = AuditEntry(
        id="a99999999999999", at=AT, actor="cli:root", action="operators.add", target="x@y.cn"
    )

    await backend.audit.record(entry)

    assert await backend.audit.recent(limit=10) == [entry]


async def test_entries_come_newest_first_then_by_id(backend: Storage) -> None:
    entries = [an_entry(at=AT + timedelta(seconds=n)) for n in range(3)]
    tied = [an_entry(at=AT + timedelta(seconds=1)) for _ in range(2)]
    for entry in [*tied, *entries]:
        await backend.audit.record(entry)

    listed = await backend.audit.recent(limit=10)

    middle = sorted([entries[1], *tied], key=lambda entry: entry.id, reverse=True)
    assert listed == [entries[2], *middle, entries[0]]
    assert await backend.audit.recent(limit=2) == listed[:2]
    assert await backend.audit.recent(limit=0) == []


async def test_pages_follow_one_another_by_their_last_entry(backend: Storage) -> None:
    for n in range(7):
        await backend.audit.record(an_entry(at=AT + timedelta(seconds=n // 2)))
    everything = await backend.audit.recent(limit=10)

    pages, before = [], None
    while page := await backend.audit.recent(limit=3, before=before):
        pages.append(page)
        before = (page[-1].at, page[-1].id)

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [entry for page in pages for entry in page] == everything


async def test_the_entries_about_a_target_alone_are_listed_for_it(backend: Storage) -> None:
    theirs = [an_entry(at=AT + timedelta(seconds=n)) for n in range(3)]
    others = [an_entry(at=AT + timedelta(seconds=n), target="ops@example.com") for n in range(2)]
    for entry in [*theirs, *others]:
        await backend.audit.record(entry)

    listed = await backend.audit.recent(limit=10, target=USER)
    before = (theirs[2].at, theirs[2].id)

    assert listed == theirs[::-1]
    assert await backend.audit.recent(limit=10, target=USER, before=before) == theirs[1::-1]
    assert await backend.audit.recent(limit=10, target="u00000000000009") == []
    assert len(await backend.audit.recent(limit=10)) == 5


async def test_the_trail_offers_no_way_to_change_an_entry(backend: Storage) -> None:
    public = {
        name
        for name, _ in inspect.getmembers(type(backend.audit), callable)
        if not name.startswith("_")
    }

    assert public == {"record", "recent"}
