from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TypeVar

from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.ports.account_import import (
    AccountSource,
    AccountStore,
    Added,
    Unreadable,
    identity_name,
)

BATCH_SIZE = 500
REPEATED_ID = "an earlier record of the source has the same id"
Record = TypeVar("Record", Company, User, Identity, Session)


@dataclass(slots=True)
class Tally:
    added: int = 0
    present: int = 0
    refused: list[Unreadable] = field(default_factory=list)

    def count(self, outcome: Added, unreadable: list[Unreadable]) -> None:
        self.added += outcome.added
        self.present += outcome.present
        self.refused += unreadable + outcome.refused


@dataclass(frozen=True, slots=True)
class ImportReport:
    collection_id: str
    companies: Tally
    users: Tally
    identities: Tally
    sessions: Tally = field(default_factory=Tally)


class ImportAccounts:
    """Copy the accounts of another system (PocketBase) into BAI's store.

    Rules:
    - every record is copied as it is: its id, token key, fields and timestamps, so the tokens
      the other system issued stay valid at BAI (with its collection id and secret);
    - a record the store already holds (same id) is left as it is, so running the import again
      changes nothing; a record whose unique values (openid, phone, user number, invite code,
      company id) belong to another record is refused and named, never merged;
    - a record that is not a valid account (an id or key of the wrong shape, an unknown status)
      is refused and named, with the reason, and the rest are copied;
    - so is a record holding U+0000 in a text field: no store of BAI's keeps that character
      (PostgreSQL's text cannot), so every store refuses it alike;
    - a record whose id an earlier record of the source holds is refused as a repeat, so each
      record is counted once: added, already there or refused;
    - companies are copied before users, users before their identities (where the source
      keeps them), in batches of `BATCH_SIZE`; `progress` hears how many users each batch
      handled;
    - an identity is copied for a user the store holds; one whose app and openid another user
      holds, or whose user has another in that app, is refused, named by user and app;
    - so is a session (where BAI kept sessions beside the source), so the tokens that name it
      keep working: nobody is logged out by the move.
    """

    def __init__(self, *, store: AccountStore, batch_size: int = BATCH_SIZE) -> None:
        self._store = store
        self._batch_size = batch_size

    async def execute(
        self, source: AccountSource, *, progress: Callable[[int], object] = lambda _: None
    ) -> ImportReport:
        companies, users, identities = Tally(), Tally(), Tally()
        seen: set[tuple[str, ...]] = set()
        for some_companies in source.companies(self._batch_size):
            valid_companies, unreadable = _screen(some_companies, seen)
            companies.count(await self._store.add_companies(valid_companies), unreadable)
        seen.clear()
        for some_users in source.users(self._batch_size):
            valid_users, unreadable = _screen(some_users, seen)
            users.count(await self._store.add_users(valid_users), unreadable)
            progress(len(some_users))
        seen.clear()
        for some_identities in source.identities(self._batch_size):
            valid_identities, unreadable = _screen(some_identities, seen)
            identities.count(await self._store.add_identities(valid_identities), unreadable)
        seen.clear()
        sessions = Tally()
        for some_sessions in source.sessions(self._batch_size):
            valid_sessions, unreadable = _screen(some_sessions, seen)
            sessions.count(await self._store.add_sessions(valid_sessions), unreadable)
        return ImportReport(source.collection_id, companies, users, identities, sessions)


def _screen(
    batch: list[Record | Unreadable], seen: set[tuple[str, ...]]
) -> tuple[list[Record], list[Unreadable]]:
    """The records of `batch` a store may be given, and the others refused with the reason;
    `seen` gains the ids of the batch (an identity's is its app and openid)."""
    valid: list[Record] = []
    refused: list[Unreadable] = []
    for record in batch:
        key, name = _key(record), _name(record)
        if key in seen:
            refused.append(Unreadable(name, REPEATED_ID))
        elif isinstance(record, Unreadable):
            refused.append(record)
        elif nul := _nul_in_text(record):
            refused.append(Unreadable(name, nul))
        else:
            valid.append(record)
        seen.add(key)
    return valid, refused


def _key(record: Company | User | Identity | Session | Unreadable) -> tuple[str, ...]:
    if isinstance(record, Identity):
        return (record.appid, record.openid)
    if isinstance(record, Session):
        return (record.id,)
    return (record.record_id if isinstance(record, Unreadable) else record.pb_id,)


def _name(record: Company | User | Identity | Session | Unreadable) -> str:
    if isinstance(record, Unreadable):
        return record.record_id
    if isinstance(record, Session):
        return record.id
    return identity_name(record) if isinstance(record, Identity) else record.pb_id


def _nul_in_text(record: Company | User | Identity | Session) -> str:
    """Which text field of `record` holds U+0000, as a reason ("" when none does)."""
    for one in fields(record):
        value = getattr(record, one.name)
        if isinstance(value, str) and "\0" in value:
            return f"{one.name} holds U+0000 (NUL), which BAI does not keep"
    return ""
