"""A live PocketBase as BAI's storage: its records through BAI's hook, its own schema, and the
collection's id and token secret, which are PocketBase's and may be rotated there."""

from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from urllib.parse import quote

from bai.adapters.storage import Signing, Storage, StorageOptions
from bai.ports.clock import Clock

from .audit_trail import PocketBaseAuditTrail
from .client import PocketBaseClient, collection_secret, target_of
from .identity_store import PocketBaseIdentityStore
from .login_code_ledger import PocketBaseLoginCodeLedger
from .operator_store import PocketBaseOperatorStore
from .push_event_store import PocketBasePushEventStore
from .secret_watch import follow_secret
from .session_store import PocketBaseSessionStore
from .user_repository import PocketBaseUserRepository


class PocketBaseStorage(Storage):
    name = "pocketbase"

    def __init__(self, options: StorageOptions, *, clock: Clock) -> None:
        self._options = options

    @cached_property
    def client(self) -> PocketBaseClient:
        return PocketBaseClient(self._options.url)

    @cached_property
    def users(self) -> PocketBaseUserRepository:
        return PocketBaseUserRepository(self.client)

    @cached_property
    def identities(self) -> PocketBaseIdentityStore:
        return PocketBaseIdentityStore(self.client)

    @cached_property
    def sessions(self) -> PocketBaseSessionStore:
        max_age = timedelta(seconds=self._options.session_max_age_seconds)
        return PocketBaseSessionStore(
            self.client, identities=self.identities, codes=self.login_codes, max_age=max_age
        )

    @cached_property
    def push_events(self) -> PocketBasePushEventStore:
        return PocketBasePushEventStore(self.client)

    @cached_property
    def operators(self) -> PocketBaseOperatorStore:
        return PocketBaseOperatorStore(self.client)

    @cached_property
    def audit(self) -> PocketBaseAuditTrail:
        return PocketBaseAuditTrail(self.client)

    @cached_property
    def login_codes(self) -> PocketBaseLoginCodeLedger:
        return PocketBaseLoginCodeLedger(self.client)

    def migrate(self) -> str:
        return "PocketBase keeps its own schema (contrib/pocketbase: pb_hooks, pb_migrations)"

    def describe(self) -> str:
        """As its client reads the URL, the password starred."""
        scheme = self._options.url.split(":", 1)[0]
        try:
            target = target_of(self._options.url)
        except ValueError:
            return f"{scheme}://..."
        user = f"{quote(target.email, safe='')}:***@" if target.email or target.password else ""
        return f"{scheme}://{user}{target.base_url.split('://', 1)[1]}"

    def own_signing(self) -> Signing:
        """The tokens BAI issues are PocketBase's own: `tbl_auth_users`' id and secret."""
        return Signing(*collection_secret(self._options.url))

    async def follow_signing(self, current: Signing, rekey: Callable[[str], None]) -> None:
        await follow_secret(
            self.client, current.secret, rekey, every=self._options.secret_check_seconds
        )

    async def close(self) -> None:
        if "client" in self.__dict__:
            await self.client.aclose()
