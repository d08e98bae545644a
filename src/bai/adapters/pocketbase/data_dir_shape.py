"""What the import needs a PocketBase `data.db` to be, checked whole before anything is written:
its collections, the auth collection's id and token secret, ordinary tables behind them, and
text (never a BLOB, always UTF-8) in every column BAI reads. A shape it is not is
`UnusableSource`, saying what is wrong in one line, never a value it holds."""

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from bai.domain.entities import is_collection_id
from bai.ports.account_import import UnusableSource

from .records import EMPTY_MEANS, NUMBER_FIELDS, TEXT_FIELDS

USERS = "tbl_auth_users"
COMPANIES = "tbl_company"
IDENTITIES = "tbl_auth_identities"  # where BAI kept identities beside this PocketBase
SESSIONS = "tbl_auth_sessions"  # and sessions
COLLECTIONS = "_collections"
READ = {
    USERS: ("id", "tokenKey", "created", "updated", *EMPTY_MEANS, *TEXT_FIELDS, *NUMBER_FIELDS),
    COMPANIES: ("id", "company_id", "company_name", "company_status", "created", "updated"),
    IDENTITIES: ("id", "appid", "openid", "user", "unionid", "created"),
    SESSIONS: ("id", "user", "app", "created", "renewed", "user_agent", "ended"),
}
REQUIRED = {
    USERS: ("id", "tokenKey"),
    COMPANIES: ("id",),
    IDENTITIES: ("id", "user"),
    SESSIONS: ("id", "user"),
}


@dataclass(frozen=True, slots=True)
class Shape:
    collection_id: str
    token_secret: str
    columns: dict[str, str]  # the tables to read, each with the columns BAI reads, SQL-quoted


def checked_shape(db: sqlite3.Connection) -> Shape:
    """`db`'s collections, once every check passed. Raises `UnusableSource`, or
    `sqlite3.DatabaseError` where SQLite cannot read it."""
    db.text_factory = bytes
    try:
        _require_table(db, COLLECTIONS)
        marks = ", ".join("?" for _ in READ)
        rows = db.execute(
            "SELECT name, id, type, options, typeof(id), typeof(type), typeof(options)"  # noqa: S608
            f" FROM _collections WHERE name IN ({marks})",
            tuple(READ),
        ).fetchall()
        names = [row[0].decode() for row in rows]
        if len(names) != len(set(names)):
            raise UnusableSource(f"{COLLECTIONS} lists one of {', '.join(READ)} more than once")
        found = {name: _collection(name, row) for name, row in zip(names, rows, strict=True)}
        users = found.get(USERS)
        if users is None or users["type"] != "auth":
            raise UnusableSource(f"there is no auth collection named {USERS}")
        if not is_collection_id(users["id"]):
            raise UnusableSource(
                f"{COLLECTIONS}.id of {USERS} is not a PocketBase collection id"
                " (1 to 100 of A-Za-z0-9_)"
            )
        secret = _token_secret(users["options"] or "{}")
        columns = {table: _checked_columns(db, table) for table in found}
    finally:
        db.text_factory = str
    return Shape(users["id"], secret, columns)


def _collection(name: str, row: tuple[Any, ...]) -> dict[str, str]:
    """The id, type and options of collection `name`, as text ("" for NULL)."""
    texts = {}
    for column, value, kind in zip(("id", "type", "options"), row[1:4], row[4:7], strict=True):
        what = f"{COLLECTIONS}.{column} of {name}"
        if kind not in {b"text", b"null"}:
            raise UnusableSource(f"{what} is not text")
        texts[column] = "" if value is None else _utf8(value, what)
    return texts


def _utf8(value: bytes, what: str) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError:
        raise UnusableSource(f"{what} is not UTF-8 text") from None


def _token_secret(options: str) -> str:
    what = f"{COLLECTIONS}.options of {USERS}"
    try:
        parsed: Any = json.loads(options)
    except (ValueError, RecursionError):
        raise UnusableSource(f"{what} is not JSON") from None
    if not isinstance(parsed, dict):
        raise UnusableSource(f"{what} is not a JSON object")
    token = parsed.get("authToken") or {}
    if not isinstance(token, dict):
        raise UnusableSource(f"authToken in {what} is not a JSON object")
    secret = token.get("secret")
    if not isinstance(secret, str) or not secret:
        raise UnusableSource(f"the {USERS} collection holds no token secret")
    return secret


def _require_table(db: sqlite3.Connection, name: str) -> None:
    found = db.execute(
        "SELECT type, sql FROM sqlite_master WHERE lower(name) = lower(?)", (name,)
    ).fetchone()
    if found is None:
        raise UnusableSource(f"there is no {name} table")
    kind, sql = found
    if kind != b"table" or (sql or b"").lstrip().upper().startswith(b"CREATE VIRTUAL"):
        raise UnusableSource(f"{name} is a {kind.decode(errors='replace')}, not an ordinary table")


def _checked_columns(db: sqlite3.Connection, table: str) -> str:
    """The columns of `table` BAI reads, once `table` is an ordinary table with the columns it
    needs, each holding text, numbers or NULL, its text UTF-8."""
    _require_table(db, table)
    present = {str(row[1], "utf-8", "replace") for row in db.execute(f"PRAGMA table_info({table})")}
    missing = [column for column in REQUIRED[table] if column not in present]
    if missing:
        raise UnusableSource(f"{table} has no {missing[0]} column")
    columns = [column for column in READ[table] if column in present]
    counts = ", ".join(f"count(*) FILTER (WHERE typeof(\"{name}\") = 'blob')" for name in columns)
    blobs = db.execute(f"SELECT {counts} FROM {table}").fetchone()  # noqa: S608
    for column, count in zip(columns, blobs, strict=True):
        if count:
            raise UnusableSource(
                f"{table}.{column} holds binary data (a BLOB) in {count} of its rows"
            )
    listed = ", ".join(f'"{name}"' for name in columns)
    for row in db.execute(f"SELECT {listed} FROM {table}"):  # noqa: S608
        try:
            [value.decode() for value in row if isinstance(value, bytes)]
        except UnicodeDecodeError:
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, bytes):
                    _utf8(value, f"{table}.{column} of a row")
    return listed
