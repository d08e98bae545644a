"""Storage inside the process: for development and tests, gone when the process stops."""

from functools import cached_property

from bai.adapters.storage import Storage, StorageOptions
from bai.ports.clock import Clock

from .audit_trail import InMemoryAuditTrail
from .identity_store import InMemoryIdentityStore
from .login_code_ledger import InMemoryLoginCodeLedger
from .operator_store import InMemoryOperatorStore
from .push_event_store import InMemoryPushEventStore
from .session_store import InMemorySessionStore
from .user_repository import InMemoryUserRepository


class MemoryStorage(Storage):
    name = "memory"
    shared_by_processes = False

    def __init__(self, options: StorageOptions, *, clock: Clock) -> None:
        self._clock = clock

    @cached_property
    def users(self) -> InMemoryUserRepository:
        return InMemoryUserRepository()

    @cached_property
    def identities(self) -> InMemoryIdentityStore:
        return InMemoryIdentityStore(self.users)

    @cached_property
    def sessions(self) -> InMemorySessionStore:
        return InMemorySessionStore(self.users, identities=self.identities, codes=self.login_codes)

    @cached_property
    def push_events(self) -> InMemoryPushEventStore:
        return InMemoryPushEventStore()

    @cached_property
    def operators(self) -> InMemoryOperatorStore:
        return InMemoryOperatorStore()

    @cached_property
    def audit(self) -> InMemoryAuditTrail:
        return InMemoryAuditTrail()

    @cached_property
    def login_codes(self) -> InMemoryLoginCodeLedger:
        return InMemoryLoginCodeLedger(clock=self._clock)

    def migrate(self) -> str:
        return "memory:// storage has no schema to migrate"

    def describe(self) -> str:
        return "memory://"

    def outside_the_server(self, command: str) -> str | None:
        return f"{command} needs BAI_DATABASE_URL: memory:// lives inside the server process"
