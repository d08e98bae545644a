"""PocketBase records (as `data.db` rows or as BAI's hook returns them) as BAI's entities:
users, companies, identities and sessions (push events, operators and audit entries:
`declared_records.py`)."""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bai.domain.entities import Company, IdType, User, UserStatus, is_record_id
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.domain.user_fields import USER_FIELDS, FieldKind, named

TEXT_FIELDS = named(FieldKind.TEXT)
NUMBER_FIELDS = named(FieldKind.NUMBER)
# What an empty value means where BAI keeps an enumeration (its default).
EMPTY_MEANS = {
    field.name: str(field.default) for field in USER_FIELDS if field.kind is FieldKind.CHOICE
}
Now = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def user_of(record: Mapping[str, Any], *, now: Now = utc_now) -> User:
    """The user a `tbl_auth_users` record holds. Raises ValueError (saying which field) when it
    is not one BAI can serve: an id or key of the wrong shape, an unknown status or id type, a
    number that is not whole, a time that is not one."""
    enums = {name: text(record, name) or empty for name, empty in EMPTY_MEANS.items()}
    try:
        idtype, status = IdType(enums["users_idtype"]), UserStatus(enums["users_status"])
    except ValueError:
        raise ValueError("users_idtype or users_status has a value BAI does not know") from None
    fields: dict[str, Any] = {name: text(record, name) for name in TEXT_FIELDS}
    fields |= {name: whole(record, name) for name in NUMBER_FIELDS}
    company = record.get("company")
    return User(
        pb_id=text(record, "id"),
        token_key=text(record, "tokenKey"),
        created=moment(record, "created", now),
        updated=moment(record, "updated", now),
        users_idtype=idtype,
        users_status=status,
        company=company_of(company, now=now) if isinstance(company, Mapping) else None,
        **fields,
    )


def company_of(record: Mapping[str, Any], *, now: Now = utc_now) -> Company:
    company_id = text(record, "company_id")
    if not company_id:
        raise ValueError("company_id is empty")
    return Company(
        pb_id=text(record, "id"),
        company_id=company_id,
        company_name=text(record, "company_name"),
        company_status=text(record, "company_status"),
        created=moment(record, "created", now),
        updated=moment(record, "updated", now),
    )


def text(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    return "" if value is None else str(value)


def whole(record: Mapping[str, Any], name: str) -> int:
    value = record.get(name)
    if value is None or value == "":
        return 0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} is not a number") from None
    if not number.is_integer():
        raise ValueError(f"{name} is not a whole number")
    return int(number)


def moment(record: Mapping[str, Any], name: str, now: Now) -> datetime:
    """PocketBase's `2006-01-02 15:04:05.000Z`; `now()` where there is none."""
    value = text(record, name)
    if not value:
        return now()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"{name} is not a time") from None


def record_of(user: User) -> dict[str, Any]:
    """What BAI's hook takes to create `user`."""
    record: dict[str, Any] = {name: getattr(user, name) for name in TEXT_FIELDS + NUMBER_FIELDS}
    record |= {
        "id": user.pb_id,
        "tokenKey": user.token_key,
        "users_idtype": user.users_idtype.value,
        "users_status": user.users_status.value,
        "created": pocketbase_time(user.created),
        "updated": pocketbase_time(user.updated),
    }
    return record


_BELOW_A_MILLISECOND = timedelta(microseconds=999)


def pocketbase_time(moment: datetime) -> str:
    """A time in PocketBase's format, `2006-01-02 15:04:05.000Z`, in UTC: as PocketBase keeps
    it and as the contract shows it."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(" ", "milliseconds")[:23] + "Z"


def pocketbase_bound(moment: datetime) -> str:
    """`moment` as a bound of a range of times PocketBase keeps (to the millisecond): rounded
    up to one, so that `kept >= bound` and `kept < bound` hold exactly when they would of
    `moment`."""
    return pocketbase_time(moment + _BELOW_A_MILLISECOND)


def keyset(before: tuple[datetime, str] | None) -> dict[str, str]:
    """A keyset position `(time, id)` as BAI's hook takes it (`before`, `before_id`; empty for
    the first page)."""
    if before is None:
        return {"before": "", "before_id": ""}
    return {"before": pocketbase_time(before[0]), "before_id": before[1]}


def identity_of(record: Mapping[str, Any], *, now: Now = utc_now) -> Identity:
    """The identity a `tbl_auth_identities` record holds (its `user` is the user's id)."""
    appid, openid, pb_id = text(record, "appid"), text(record, "openid"), text(record, "user")
    if not appid or not openid:
        raise ValueError("appid or openid is empty")
    if not is_record_id(pb_id):
        raise ValueError("user is not a record id")
    return Identity(
        appid=appid,
        openid=openid,
        pb_id=pb_id,
        unionid=text(record, "unionid"),
        created=moment(record, "created", now),
    )


def identity_record(identity: Identity) -> dict[str, Any]:
    """What BAI's hook takes to create `identity`."""
    return {
        "appid": identity.appid,
        "openid": identity.openid,
        "pb_id": identity.pb_id,
        "unionid": identity.unionid,
        "created": pocketbase_time(identity.created),
    }


def session_of(record: Mapping[str, Any]) -> Session:
    """The session a `tbl_auth_sessions` record holds (its `user` is the user's id, an empty
    `ended` an open session)."""
    pb_id, ended = text(record, "user"), text(record, "ended")
    if not is_record_id(pb_id):
        raise ValueError("user is not a record id")
    if not text(record, "created") or not text(record, "renewed"):
        raise ValueError("created or renewed is empty")
    return Session(
        id=text(record, "id"),
        pb_id=pb_id,
        app=text(record, "app"),
        created=moment(record, "created", utc_now),
        renewed=moment(record, "renewed", utc_now),
        user_agent=text(record, "user_agent"),
        ended=moment(record, "ended", utc_now) if ended else None,
    )


def session_record(session: Session, *, max_age: timedelta) -> dict[str, Any]:
    """What BAI's hook takes to start `session`: its `expires` is `created` plus `max_age`."""
    return {
        "id": session.id,
        "pb_id": session.pb_id,
        "app": session.app,
        "user_agent": session.user_agent,
        "created": pocketbase_time(session.created),
        "renewed": pocketbase_time(session.renewed),
        "expires": pocketbase_time(session.created + max_age),
    }
