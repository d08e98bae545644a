from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from bai.domain.entities import Company, User
from bai.ports.account_import import AccountSource, AccountStore, Added, Unreadable

BATCH_SIZE = 500
Record = TypeVar("Record", Company, User)


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
    - companies are copied before users, in batches of `BATCH_SIZE`; `progress` hears how many
      users each batch handled.
    """

    def __init__(self, *, store: AccountStore, batch_size: int = BATCH_SIZE) -> None:
        self._store = store
        self._batch_size = batch_size

    async def execute(
        self, source: AccountSource, *, progress: Callable[[int], object] = lambda _: None
    ) -> ImportReport:
        companies, users = Tally(), Tally()
        for some_companies in source.companies(self._batch_size):
            valid_companies, unreadable = _split(some_companies, Company)
            companies.count(await self._store.add_companies(valid_companies), unreadable)
        for some_users in source.users(self._batch_size):
            valid_users, unreadable = _split(some_users, User)
            users.count(await self._store.add_users(valid_users), unreadable)
            progress(len(some_users))
        return ImportReport(source.collection_id, companies, users)


def _split(
    batch: list[Record | Unreadable], kind: type[Record]
) -> tuple[list[Record], list[Unreadable]]:
    valid = [record for record in batch if isinstance(record, kind)]
    return valid, [record for record in batch if isinstance(record, Unreadable)]
