"""Which users an operator lists, and how many at a time: value objects that check themselves
and raise `InvalidField` (the CLI turns that into exit status 2).

Users are listed in the order they registered, by `created` and then `pb_id` (a keyset order:
a user registered while someone pages through the list lands at the end, or at its place,
never shifting the pages already read)."""

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from bai.domain.apps import is_appid
from bai.domain.entities import User, UserStatus, is_record_id
from bai.domain.errors import InvalidField

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
MAX_NAME_SEARCH = 32
_PHONE = re.compile(r"[0-9]{1,20}")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_folded(text: str) -> str:
    """`text` with A-Z as a-z and every other character as it is: how a name search ignores
    case, the same on every store (SQLite, and so PocketBase, folds no other letters)."""
    return text.translate(_ASCII_LOWER)


def _searchable(name: str) -> bool:
    return 1 <= len(name) <= MAX_NAME_SEARCH and not any(
        unicodedata.category(character) in {"Cc", "Cs"} for character in name
    )


def listing_order(user: User) -> tuple[datetime, str]:
    return user.created, user.pb_id


def moment_since(text: str) -> datetime:
    """An operator's `--since`: an ISO date (midnight UTC) or date and time (UTC unless it
    names an offset), as an aware UTC datetime."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidField(
            "since", "must be an ISO date (2026-03-04) or date and time (2026-03-04T05:06:07Z)"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


_RECORD_KEY = re.compile(r"[0-9a-z]{1,64}")


def recorded_before(at: str, key: str) -> tuple[datetime, str]:
    """Where a page of records kept newest first starts (the audit trail, the push events):
    right after the one recorded `at` (UTC unless it names an offset) with id `key`, the last
    one the previous page showed. `InvalidField` for anything else, a time that leaves the
    calendar in UTC included."""
    try:
        moment = datetime.fromisoformat(at.strip())
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidField("before", "takes the time and id of the last record shown") from None
    if not _RECORD_KEY.fullmatch(key):
        raise InvalidField("before", "takes the time and id of the last record shown")
    return moment, key


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts: right after the user registered at `created` with `pb_id`."""

    created: datetime
    pb_id: str

    @classmethod
    def after(cls, user: User) -> "Position":
        return cls(*listing_order(user))


@dataclass(frozen=True, slots=True, kw_only=True)
class UserQuery:
    """Users of one status (any: None), registered at or after `since`, with a phone or
    without one (either: None), after `after` in the listing order; and, for an operator's
    search, the user `pb_id`, the holder of the full number `phone`, users whose name holds
    `name` (ignoring the case of A-Z), users holding an identity in the mini-program `app`.
    Each filter left None matches everyone; the given ones all apply."""

    status: UserStatus | None = None
    since: datetime | None = None
    has_phone: bool | None = None
    after: Position | None = None
    pb_id: str | None = None
    phone: str | None = None
    name: str | None = None
    app: str | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.since.tzinfo is None:
            raise InvalidField("since", "must name its time zone")
        if self.pb_id is not None and not is_record_id(self.pb_id):
            raise InvalidField("pb_id", "must be 15 characters of a-z0-9")
        if self.phone is not None and _PHONE.fullmatch(self.phone) is None:
            raise InvalidField("phone", "must be the full number: 1 to 20 digits 0-9")
        if self.name is not None and not _searchable(self.name):
            raise InvalidField(
                "name", f"must be 1 to {MAX_NAME_SEARCH} characters, no control characters"
            )
        if self.app is not None and not is_appid(self.app):
            raise InvalidField("app", "must be an app id (1 to 64 characters of A-Za-z0-9_-)")

    def matches(self, user: User, *, apps: Collection[str] = ()) -> bool:
        """Whether `user`, who holds identities in `apps`, is one of these users."""
        return (
            (self.status is None or user.users_status is self.status)
            and (self.since is None or user.created >= self.since)
            and (self.has_phone is None or bool(user.users_phone) is self.has_phone)
            and (self.after is None or listing_order(user) > (self.after.created, self.after.pb_id))
            and (self.pb_id is None or user.pb_id == self.pb_id)
            and (self.phone is None or user.users_phone == self.phone)
            and (self.name is None or ascii_folded(self.name) in ascii_folded(user.users_name))
            and (self.app is None or self.app in apps)
        )


@dataclass(frozen=True, slots=True)
class PageSize:
    """How many users one page holds: 1 to 1000."""

    value: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.value <= MAX_PAGE_SIZE:
            raise InvalidField("limit", f"must be from 1 to {MAX_PAGE_SIZE}")


def cursor_id(text: str) -> str:
    """An operator's `--after`: the `pb_id` that ended the previous page."""
    if not is_record_id(text):
        raise InvalidField("after", "must be a pb_id (15 characters of a-z0-9)")
    return text
