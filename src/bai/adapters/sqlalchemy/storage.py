"""SQLite through SQLAlchemy: one file, every store on one engine."""

from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from bai.adapters.storage import Storage, StorageOptions
from bai.ports.clock import Clock

from .account_import import SqlAlchemyAccountStore
from .audit_trail import SqlAlchemyAuditTrail
from .engine import create_engine
from .identity_store import SqlAlchemyIdentityStore
from .login_code_ledger import SqlAlchemyLoginCodeLedger
from .migrate import migrated
from .operator_store import SqlAlchemyOperatorStore
from .push_event_store import SqlAlchemyPushEventStore
from .session_store import SqlAlchemySessionStore
from .user_repository import SqlAlchemyUserRepository


def sqlite_file(url: str) -> Path:
    """The absolute path of the file a SQLite URL names."""
    return Path(make_url(url).database or "").resolve()


def pool_usage(engine: AsyncEngine) -> tuple[int, int] | None:
    """An engine's connections open and in use; None for a pool that keeps no count."""
    if not isinstance(pool := engine.pool, QueuePool):
        return None
    return pool.checkedin() + pool.checkedout(), pool.checkedout()


class EngineStores:
    """The stores served by SQLAlchemy alone on every SQL backend (SQLite, and PostgreSQL beside
    asyncpg's): a storage with an `engine` gets them by inheriting these."""

    @property
    def engine(self) -> AsyncEngine:
        raise NotImplementedError  # the storage's own

    @cached_property
    def push_events(self) -> SqlAlchemyPushEventStore:
        return SqlAlchemyPushEventStore(self.engine)

    @cached_property
    def operators(self) -> SqlAlchemyOperatorStore:
        return SqlAlchemyOperatorStore(self.engine)

    @cached_property
    def audit(self) -> SqlAlchemyAuditTrail:
        return SqlAlchemyAuditTrail(self.engine)

    def accounts(self) -> SqlAlchemyAccountStore:
        return SqlAlchemyAccountStore(self.engine)


class SqliteStorage(EngineStores, Storage):
    name = "sqlite"

    def __init__(self, options: StorageOptions, *, clock: Clock) -> None:
        self._options = options

    @cached_property
    def engine(self) -> AsyncEngine:
        return create_engine(self._options.url, pool_size=self._options.pool_size)

    @cached_property
    def users(self) -> SqlAlchemyUserRepository:
        return SqlAlchemyUserRepository(engine=self.engine)

    @cached_property
    def identities(self) -> SqlAlchemyIdentityStore:
        return SqlAlchemyIdentityStore(self.engine)

    @cached_property
    def sessions(self) -> SqlAlchemySessionStore:
        return SqlAlchemySessionStore(
            self.engine, identities=self.identities, codes=self.login_codes
        )

    @cached_property
    def login_codes(self) -> SqlAlchemyLoginCodeLedger:
        return SqlAlchemyLoginCodeLedger(self.engine)

    def migrate(self) -> str:
        return migrated(self._options.migrations, primary_appid=self._options.primary_appid)

    def describe(self) -> str:
        return f"SQLite file {sqlite_file(self._options.url)}"

    def outside_the_server(self, command: str) -> str | None:
        if (missing := sqlite_file(self._options.url)).exists():
            return None
        return (
            f"{command}: no database at {missing}; set BAI_DATA_DIR (or BAI_DATABASE_URL) as the"
            " server has it"
        )

    def usage(self) -> tuple[int, int] | None:
        return pool_usage(self.engine)

    def engines(self) -> tuple[AsyncEngine, ...]:
        return (self.engine,)

    async def close(self) -> None:
        if "engine" in self.__dict__:
            await self.engine.dispose()
