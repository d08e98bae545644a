"""Database URLs: the backend a scheme chooses, plain PostgreSQL URLs given the asyncpg driver,
URLs refused where they cannot be read as meant, and a URL as an operator may be shown it."""

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bai.adapters.backends import BACKENDS, backend_of, storage_for
from bai.adapters.pocketbase.client import target_of
from bai.adapters.storage import StorageOptions
from bai.adapters.system.clock import SystemClock

SCHEME = re.compile(r"[a-z][a-z0-9+.-]{0,30}", re.IGNORECASE)
USER_INFO = re.compile(r"[^:/]*(?::[^@]*)?@")  # `user:password@` as SQLAlchemy reads it
UNREADABLE = (
    "cannot be read as scheme://user:password@host:port/database; URL-encode the user name and"
    " the password (an @ in them as %40)"
)


def backend_name(url: str) -> str:
    """The name of the backend `url`'s scheme chooses (`backends.BACKENDS`), to check settings
    that hold only of some."""
    try:
        return backend_of(url).name
    except KeyError:
        scheme = url.split(":", 1)[0]
        named = f" {scheme!r}" if SCHEME.fullmatch(scheme) and "://" in url else ""
        raise ValueError(
            f"unsupported scheme{named}; use {', '.join(map(repr, BACKENDS))}"
        ) from None


def checked_url(url: str) -> str:
    """`url` with plain PostgreSQL URLs given the asyncpg driver; `ValueError` says why it
    cannot be used."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            url = "postgresql+asyncpg://" + url.removeprefix(plain)
    kind = backend_name(url)
    if kind == "pocketbase":
        target_of(url)
    elif kind != "memory":
        _sql_url(url, kind)
    return url


def _sql_url(url: str, kind: str) -> URL:
    """`url` as SQLAlchemy reads it; for PostgreSQL refused where that cannot be what was meant:
    an @ past the password's end (its own unencoded @ would make the rest of it the host)."""
    rest = url.split("://", 1)[-1]
    user_info = USER_INFO.match(rest)
    if kind == "postgresql" and "@" in rest[user_info.end() if user_info else 0 :]:
        raise ValueError(UNREADABLE)
    try:
        return make_url(url)
    except (ArgumentError, ValueError):  # the port's ValueError would quote the text
        raise ValueError(UNREADABLE) from None


def shown_storage(url: str) -> str:
    """The store `url` names, as an operator may read it (never its password), as its backend
    describes it: a SQLite file by its absolute path, other URLs without password."""
    return storage_for(StorageOptions(url=url), clock=SystemClock()).describe()
