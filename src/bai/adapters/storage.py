"""What the entrypoints ask of a storage backend: every store port, and the backend's own
migrate, warm-up, pool figures, close and description. One class per backend implements it
(`MemoryStorage`, `SqliteStorage`, `PostgresStorage`, `PocketBaseStorage`); `backends.py` picks
one from `BAI_DATABASE_URL`, and nothing else knows which it is."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from bai.ports.account_import import AccountStore
from bai.ports.audit_trail import AuditTrail
from bai.ports.clock import Clock
from bai.ports.identity_store import IdentityStore
from bai.ports.login_code_ledger import LoginCodeLedger
from bai.ports.operator_store import OperatorStore
from bai.ports.push_event_store import PushEventStore
from bai.ports.session_store import SessionStore
from bai.ports.user_repository import UserRepository

SECRET_CHECK_SECONDS = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageOptions:
    """What the settings say of the storage (each backend reads what applies to it)."""

    url: str
    migration_url: str = ""
    pool_size: int = 10
    transaction_pooling: bool = False
    secret_check_seconds: float = SECRET_CHECK_SECONDS
    primary_appid: str = ""  # the migration gives existing users their identity in this app
    session_max_age_seconds: int = 30 * 86400  # BAI_SESSION_MAX_AGE, for stores that keep expiry

    @property
    def migrations(self) -> str:
        return self.migration_url or self.url


@dataclass(frozen=True, slots=True)
class Signing:
    """The collection id and token secret BAI signs tokens with."""

    collection_id: str
    secret: str


class StoreNotOffered(Exception):
    """This backend has no such store (the import into memory:// or a live PocketBase)."""


class MigrationRefused(Exception):
    """The stored data stops a migration until an operator changes it; the message says what,
    on one line, and the schema is left as it was."""


class Storage(Protocol):
    """A backend. Construction opens nothing: stores connect on first use."""

    name: ClassVar[str]  # for the start-up line
    shared_by_processes: ClassVar[bool] = True  # False: it lives inside one process

    def __init__(self, options: StorageOptions, *, clock: Clock) -> None: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def login_codes(self) -> LoginCodeLedger: ...

    @property
    def identities(self) -> IdentityStore: ...

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def push_events(self) -> PushEventStore: ...

    @property
    def operators(self) -> OperatorStore: ...

    @property
    def audit(self) -> AuditTrail: ...

    def accounts(self) -> AccountStore:
        """The store the import writes to; `StoreNotOffered` where there is none."""
        raise StoreNotOffered(f"{type(self).__name__} offers no account import")

    def migrate(self) -> str:
        """Bring the schema up to date (blocking); what was done, for the log. Raises
        `MigrationRefused` when the data stops it."""
        ...

    def describe(self) -> str:
        """The database, as an operator may read it (never its password)."""
        ...

    def outside_the_server(self, command: str) -> str | None:
        """Why `command`, run beside the server, cannot work on this storage; None if it can."""
        return None

    def own_signing(self) -> Signing | None:
        """The signing a backend keeps itself (PocketBase's collection), read now (blocking);
        None when BAI's settings say it."""
        return None

    async def follow_signing(self, current: Signing, rekey: Callable[[str], None]) -> None:
        """Until cancelled, apply a secret changed inside the store (nothing for most)."""
        return

    async def warm(self) -> None:
        """Open connections before the first request needs them (nothing for most)."""
        return

    def usage(self) -> tuple[int, int] | None:
        """Connections open and in use, for the pool gauges; None without a pool."""
        return None

    def engines(self) -> tuple[Any, ...]:
        """The SQLAlchemy engines built so far, for tracing their statements."""
        return ()

    async def close(self) -> None:
        """Close what was opened (nothing that was not)."""
        return
