"""What `ImportAccounts` needs: accounts to read (another system's store) and a store to add
them to."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.domain.sessions import Session


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record the source holds but cannot give as an account, and why (never a value)."""

    record_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Added:
    """What a store did with a batch: how many it added, how many it already held (by record
    id), and the records it refused (another record holds one of their unique values, or a value
    is longer than the store keeps)."""

    added: int = 0
    present: int = 0
    refused: list[Unreadable] = field(default_factory=list)


class UnusableSource(Exception):
    """The source is not what the import reads (one line saying why)."""


class AccountSource(Protocol):
    """Accounts kept by another system, read in batches."""

    @property
    def collection_id(self) -> str:
        """The id of the users' collection: the `collectionId` claim of its tokens."""
        ...

    def token_secret(self) -> str:
        """The collection's token secret, which signs (with each user's key) its tokens."""
        ...

    def user_total(self) -> int: ...

    def companies(self, batch_size: int) -> Iterator[list[Company | Unreadable]]: ...

    def users(self, batch_size: int) -> Iterator[list[User | Unreadable]]: ...

    def identities(self, batch_size: int) -> Iterator[list[Identity | Unreadable]]:
        """The users' identities per app, where the source keeps them (none by default)."""
        return iter(())

    def sessions(self, batch_size: int) -> Iterator[list[Session | Unreadable]]:
        """The users' sessions, where the source keeps them (none by default): copied, the
        tokens that name them keep working."""
        return iter(())


class AccountStore(Protocol):
    """Where imported accounts go. Each call adds what is absent and changes nothing else.

    Raises `StorageUnavailable` when the store cannot be reached.
    """

    async def add_companies(self, companies: list[Company]) -> Added: ...

    async def add_users(self, users: list[User]) -> Added: ...

    async def add_identities(self, identities: list[Identity]) -> Added:
        """Add the identities whose user the store holds; one whose app and openid another
        user holds, or whose user has another in that app, is refused."""
        ...

    async def add_sessions(self, sessions: list[Session]) -> Added:
        """Add the sessions whose user the store holds (by id: one there already is left)."""
        ...


def identity_name(identity: Identity) -> str:
    """How a refused identity is named: its user and app (a user has one per app), never the
    openid."""
    return f"{identity.pb_id} in {identity.appid}"
