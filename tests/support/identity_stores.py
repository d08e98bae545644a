"""Every backend's storage, fresh, for the identity store's contract suite."""

from collections.abc import AsyncIterator

import pytest

from bai.adapters.backends import storage_for
from bai.adapters.storage import Storage, StorageOptions
from bai.adapters.system.clock import SystemClock

PRIMARY = "wxprimary0000001"
OTHER = "wxother000000002"
# Each kind and the fixture that gives its store's URL.
STORES = {
    "memory": "",
    "sqlite": "sqlite_url",
    "postgresql": "postgresql_url",
    "pgbouncer": "pgbouncer_url",
    "pocketbase": "pocketbase_url",
}


@pytest.fixture(params=list(STORES))
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Storage]:
    """A backend's storage on a fresh, migrated database."""
    kind: str = request.param
    url = request.getfixturevalue(STORES[kind]) if STORES[kind] else "memory://"
    options = StorageOptions(
        url=url, primary_appid=PRIMARY, transaction_pooling=kind == "pgbouncer"
    )
    storage = storage_for(options, clock=SystemClock())
    yield storage
    await storage.close()
