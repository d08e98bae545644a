"""A PocketBase data directory (`pb_data`) read as a source of accounts: its SQLite `data.db`,
opened read-only."""

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from bai.domain.entities import Company, User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.ports.account_import import AccountSource, Unreadable, UnusableSource

from .data_dir_shape import COMPANIES, IDENTITIES, SESSIONS, USERS, checked_shape
from .records import company_of, identity_of, session_of, user_of

Record = TypeVar("Record", Company, User, Identity, Session)


class PocketBaseDataDir(AccountSource):
    """`tbl_auth_users` and `tbl_company` of a PocketBase (v0.23 or later) data directory, and
    `tbl_auth_identities` where BAI kept identities beside it.

    Its shape is checked whole when it is opened (`data_dir_shape.py`), so a data directory the
    import cannot read is refused before anything is written. Fields BAI has no column for
    (email, password, verified, ...) stay behind; a field the collection lacks takes BAI's
    default; a record without `created`/`updated` gets the time of the import. Read-only:
    PocketBase may keep running (rehearse on a copy all the same).
    """

    def __init__(self, path: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        database = path / "data.db"
        if not database.is_file():
            raise UnusableSource(f"{path} is not a PocketBase data directory (no data.db)")
        self._now = now
        try:
            self._db = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True)
            shape = checked_shape(self._db)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # a message not UTF-8
            raise UnusableSource(
                f"{database}: not a PocketBase database SQLite can read ({type(exc).__name__})"
            ) from None
        except UnusableSource as exc:
            raise UnusableSource(f"{database}: {exc}") from None
        self._db.row_factory = sqlite3.Row
        self._collection_id, self._secret = shape.collection_id, shape.token_secret
        self._columns = shape.columns

    @property
    def collection_id(self) -> str:
        return self._collection_id

    def token_secret(self) -> str:
        return self._secret

    def user_total(self) -> int:
        total: int = self._db.execute(f"SELECT count(*) FROM {USERS}").fetchone()[0]  # noqa: S608
        return total

    def companies(self, batch_size: int) -> Iterator[list[Company | Unreadable]]:
        if COMPANIES in self._columns:
            yield from self._batches(COMPANIES, batch_size, self._company)

    def users(self, batch_size: int) -> Iterator[list[User | Unreadable]]:
        yield from self._batches(USERS, batch_size, self._user)

    def identities(self, batch_size: int) -> Iterator[list[Identity | Unreadable]]:
        if IDENTITIES in self._columns:
            yield from self._batches(IDENTITIES, batch_size, self._identity)

    def sessions(self, batch_size: int) -> Iterator[list[Session | Unreadable]]:
        if SESSIONS in self._columns:
            yield from self._batches(SESSIONS, batch_size, session_of)

    def _batches(
        self, table: str, size: int, build: Callable[[dict[str, Any]], Record]
    ) -> Iterator[list[Record | Unreadable]]:
        read = f"SELECT {self._columns[table]} FROM {table} ORDER BY id"  # noqa: S608
        cursor = self._db.execute(read)
        while rows := cursor.fetchmany(size):
            batch: list[Record | Unreadable] = []
            for row in rows:
                record = dict(row)
                try:
                    batch.append(build(record))
                except ValueError as exc:
                    batch.append(Unreadable(str(record.get("id", "")), str(exc)))
            yield batch

    def _company(self, row: dict[str, Any]) -> Company:
        return company_of(row, now=self._now)

    def _user(self, row: dict[str, Any]) -> User:
        return user_of(row, now=self._now)

    def _identity(self, row: dict[str, Any]) -> Identity:
        return identity_of(row, now=self._now)
