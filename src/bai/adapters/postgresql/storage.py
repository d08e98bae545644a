"""PostgreSQL: the request path's stores (users, login codes, a sign-in's identities, a token's
session check and renewal) on asyncpg directly, the rest (the identities' and sessions' other
writes, the push event record, the operators and the audit trail, the import) and migrations
through SQLAlchemy (docs/storage.md says why)."""

from functools import cached_property

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine

from bai.adapters.asyncpg.identity_store import AsyncpgIdentityStore
from bai.adapters.asyncpg.login_code_ledger import AsyncpgLoginCodeLedger
from bai.adapters.asyncpg.pool import LazyPool
from bai.adapters.asyncpg.session_store import AsyncpgSessionStore
from bai.adapters.asyncpg.user_repository import AsyncpgUserRepository
from bai.adapters.sqlalchemy.engine import create_engine
from bai.adapters.sqlalchemy.identity_store import SqlAlchemyIdentityStore
from bai.adapters.sqlalchemy.migrate import migrated
from bai.adapters.sqlalchemy.session_store import SqlAlchemySessionStore
from bai.adapters.sqlalchemy.storage import EngineStores
from bai.adapters.storage import Storage, StorageOptions
from bai.ports.clock import Clock


class PostgresStorage(EngineStores, Storage):
    name = "postgresql"

    def __init__(self, options: StorageOptions, *, clock: Clock) -> None:
        self._options = options
        self.pool = LazyPool(
            options.url, size=options.pool_size, transaction_pooling=options.transaction_pooling
        )

    @cached_property
    def engine(self) -> AsyncEngine:
        """SQLAlchemy's pool, for what is off the request path; opened on first use."""
        options = self._options
        return create_engine(
            options.url,
            pool_size=options.pool_size,
            transaction_pooling=options.transaction_pooling,
        )

    @cached_property
    def users(self) -> AsyncpgUserRepository:
        return AsyncpgUserRepository(self.pool)

    @cached_property
    def identities(self) -> AsyncpgIdentityStore:
        return AsyncpgIdentityStore(self.pool, rest=SqlAlchemyIdentityStore(self.engine))

    @cached_property
    def sessions(self) -> AsyncpgSessionStore:
        rest = SqlAlchemySessionStore(
            self.engine, identities=self.identities, codes=self.login_codes
        )
        return AsyncpgSessionStore(self.pool, rest=rest)

    @cached_property
    def login_codes(self) -> AsyncpgLoginCodeLedger:
        return AsyncpgLoginCodeLedger(self.pool)

    def migrate(self) -> str:
        return migrated(self._options.migrations, primary_appid=self._options.primary_appid)

    def describe(self) -> str:
        try:
            shown = make_url(self._options.url).difference_update_query(["password"])
        except (ArgumentError, ValueError):
            return f"{self._options.url.split(':', 1)[0]}://..."
        return shown.render_as_string(hide_password=True)

    async def warm(self) -> None:
        await self.pool.warm()

    def usage(self) -> tuple[int, int] | None:
        return self.pool.usage()

    def engines(self) -> tuple[AsyncEngine, ...]:
        return (self.engine,) if "engine" in self.__dict__ else ()

    async def close(self) -> None:
        await self.pool.close()
        if "engine" in self.__dict__:
            await self.engine.dispose()
