"""An `AccountSource` of lists, for the import use case's unit tests: each kind of record given
is handed out in batches of the size asked."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.ports.account_import import AccountSource, Unreadable

T = TypeVar("T")


def _batches(records: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(records), size):
        yield list(records[start : start + size])


class ListSource(AccountSource):
    def __init__(
        self,
        users: Sequence[User | Unreadable],
        companies: Sequence[Company | Unreadable] = (),
        identities: Sequence[Identity | Unreadable] = (),
    ) -> None:
        self._users, self._companies, self._identities = users, companies, identities

    @property
    def collection_id(self) -> str:
        return "pbc_1"

    def token_secret(self) -> str:
        return "s" * 50

    def user_total(self) -> int:
        return len(self._users)

    def companies(self, batch_size: int) -> Iterator[list[Company | Unreadable]]:
        yield from _batches(self._companies, batch_size)

    def users(self, batch_size: int) -> Iterator[list[User | Unreadable]]:
        yield from _batches(self._users, batch_size)

    def identities(self, batch_size: int) -> Iterator[list[Identity | Unreadable]]:
        yield from _batches(self._identities, batch_size)
