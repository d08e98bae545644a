"""The storage backend a `BAI_DATABASE_URL` names, by its scheme: the one place that knows them
all (a new backend is a class and a line here)."""

from bai.adapters.memory.storage import MemoryStorage
from bai.adapters.pocketbase.storage import PocketBaseStorage
from bai.adapters.postgresql.storage import PostgresStorage
from bai.adapters.sqlalchemy.storage import SqliteStorage
from bai.adapters.storage import Storage, StorageOptions
from bai.ports.clock import Clock

BACKENDS: dict[str, type[Storage]] = {
    "memory": MemoryStorage,
    "sqlite+aiosqlite": SqliteStorage,
    "postgresql+asyncpg": PostgresStorage,
    "pocketbase": PocketBaseStorage,
    "pocketbase+https": PocketBaseStorage,
}


def backend_of(url: str) -> type[Storage]:
    """The class for `url`'s scheme; `KeyError` for one BAI does not speak (settings refuse
    those first)."""
    return BACKENDS[url.split(":", 1)[0]]


def storage_for(options: StorageOptions, *, clock: Clock) -> Storage:
    return backend_of(options.url)(options, clock=clock)
