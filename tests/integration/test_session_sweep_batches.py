"""The SQL stores sweep in batches, one short write transaction each, until none is left."""

from datetime import timedelta

import pytest

from bai.adapters.sqlalchemy import transactions
from bai.adapters.storage import Storage
from tests.integration.test_session_store_contract import AT, a_session, stored_user
from tests.support.identity_stores import backend, backend_url

__all__ = ["backend", "backend_url"]


@pytest.mark.parametrize("backend_url", ["sqlite", "postgresql"], indirect=True)
async def test_a_sweep_removes_every_batch_and_counts_them_all(
    backend: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transactions, "SWEEP_BATCH", 2)
    user = await stored_user(backend)
    old = [a_session(user, at=AT - timedelta(days=90, seconds=n)) for n in range(5)]
    recent = a_session(user, at=AT)
    for session in [*old, recent]:
        await backend.sessions.start(session, limit=10)

    removed = await backend.sessions.sweep(ended_before=AT, began_before=AT - timedelta(days=60))

    assert removed == 5
    assert await backend.sessions.open_of(user.pb_id, began_after=AT - timedelta(days=1)) == [
        recent
    ]
