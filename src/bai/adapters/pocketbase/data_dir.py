"""A PocketBase data directory (`pb_data`) read as a source of accounts: its SQLite `data.db`,
opened read-only."""

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from bai.domain.entities import Company, IdType, User, UserStatus
from bai.ports.account_import import AccountSource, Unreadable, UnusableSource

USERS = "tbl_auth_users"
COMPANIES = "tbl_company"
TEXT_FIELDS = (
    "openid",
    "unionid",
    "users_id",
    "users_convers_id",
    "users_id_number",
    "users_type",
    "users_name",
    "users_phone",
    "users_level",
    "users_picture",
    "company_id",
    "users_parent_id",
    "users_promo_code",
    "usergroups_id",
)
NUMBER_FIELDS = ("users_rank_level", "users_auth_type")
# What an empty value means where BAI keeps an enumeration (BAI's column defaults).
EMPTY_MEANS = {"users_idtype": IdType.WECHAT.value, "users_status": UserStatus.ACTIVE.value}
Record = TypeVar("Record", Company, User)


class PocketBaseDataDir(AccountSource):
    """`tbl_auth_users` and `tbl_company` of a PocketBase (v0.23 or later) data directory.

    Fields BAI has no column for (email, password, verified, ...) stay behind; a field the
    collection lacks takes BAI's default; a record without `created`/`updated` gets the time
    of the import. Read-only: PocketBase may keep running (rehearse on a copy all the same).
    """

    def __init__(self, path: Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        database = path / "data.db"
        if not database.is_file():
            raise UnusableSource(f"{path} is not a PocketBase data directory (no data.db)")
        self._now = now
        self._db = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True)
        self._db.row_factory = sqlite3.Row
        try:
            found = {
                row["name"]: row
                for row in self._db.execute(
                    "SELECT id, name, type, options FROM _collections WHERE name IN (?, ?)",
                    (USERS, COMPANIES),
                )
            }
        except sqlite3.DatabaseError as exc:
            raise UnusableSource(
                f"{database} is not a PocketBase database ({type(exc).__name__})"
            ) from None
        users = found.get(USERS)
        if users is None or users["type"] != "auth":
            raise UnusableSource(f"{database} has no auth collection named {USERS}")
        self._collection_id: str = users["id"]
        self._options: Any = json.loads(users["options"] or "{}")
        self._has_companies = COMPANIES in found

    @property
    def collection_id(self) -> str:
        return self._collection_id

    def token_secret(self) -> str:
        secret = (self._options.get("authToken") or {}).get("secret", "")
        if not isinstance(secret, str) or not secret:
            raise UnusableSource(f"the {USERS} collection holds no token secret")
        return secret

    def user_total(self) -> int:
        total: int = self._db.execute(f"SELECT count(*) FROM {USERS}").fetchone()[0]  # noqa: S608
        return total

    def companies(self, batch_size: int) -> Iterator[list[Company | Unreadable]]:
        if self._has_companies:
            yield from self._batches(COMPANIES, batch_size, self._company)

    def users(self, batch_size: int) -> Iterator[list[User | Unreadable]]:
        yield from self._batches(USERS, batch_size, self._user)

    def _batches(
        self, table: str, size: int, build: Callable[[dict[str, Any]], Record]
    ) -> Iterator[list[Record | Unreadable]]:
        cursor = self._db.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
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
        company_id = _text(row, "company_id")
        if not company_id:
            raise ValueError("company_id is empty")
        return Company(
            pb_id=_text(row, "id"),
            company_id=company_id,
            company_name=_text(row, "company_name"),
            company_status=_text(row, "company_status"),
            created=self._time(row, "created"),
            updated=self._time(row, "updated"),
        )

    def _user(self, row: dict[str, Any]) -> User:
        enums = {name: _text(row, name) or empty for name, empty in EMPTY_MEANS.items()}
        try:
            idtype, status = IdType(enums["users_idtype"]), UserStatus(enums["users_status"])
        except ValueError:
            raise ValueError("users_idtype or users_status has a value BAI does not know") from None
        fields: dict[str, Any] = {name: _text(row, name) for name in TEXT_FIELDS}
        fields |= {name: _whole(row, name) for name in NUMBER_FIELDS}
        return User(
            pb_id=_text(row, "id"),
            token_key=_text(row, "tokenKey"),
            created=self._time(row, "created"),
            updated=self._time(row, "updated"),
            users_idtype=idtype,
            users_status=status,
            **fields,
        )

    def _time(self, row: dict[str, Any], name: str) -> datetime:
        """PocketBase's `2006-01-02 15:04:05.000Z`; the import's time where there is none."""
        value = _text(row, name)
        if not value:
            return self._now()
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name} is not a time") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


def _whole(row: dict[str, Any], name: str) -> int:
    value = row.get(name)
    if value is None or value == "":
        return 0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a number") from None
    if not number.is_integer():
        raise ValueError(f"{name} is not a whole number")
    return int(number)
