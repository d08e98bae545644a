from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, TypeGuard

from bai.domain.entities import Company, User, UserStatus
from bai.domain.errors import IdentifierTaken, PhoneAlreadyBound, UnionidTaken
from bai.domain.push_events import WithdrawnField
from bai.domain.user_query import UserQuery, listing_order
from bai.ports.user_repository import UserRepository


def _identifiers(user: User) -> list[tuple[str, str]]:
    return [
        ("pb_id", user.pb_id),
        ("token_key", user.token_key),
        ("users_id", user.users_id),
        ("users_promo_code", user.users_promo_code),
        ("unionid", user.unionid),
    ]


def _still_allowed(stored: User | None, user: User) -> TypeGuard[User]:
    return (
        stored is not None
        and stored.token_key == user.token_key
        and stored.users_status is UserStatus.ACTIVE
    )


class InMemoryUserRepository(UserRepository):
    """Users in dictionaries. No method awaits while it reads and writes, so on one event loop
    each is atomic: concurrent registrations and phone claims behave as on a database with
    unique indexes."""

    def __init__(self, companies: list[Company] | None = None) -> None:
        self._users: dict[str, User] = {}
        self._by_openid: dict[str, str] = {}
        self._by_phone: dict[str, str] = {}
        self._companies = {company.company_id: company for company in companies or []}
        self._identifiers: set[tuple[str, str]] = set()
        self._apps: Callable[[], Mapping[str, frozenset[str]]] = dict

    def see_apps_through(self, apps: Callable[[], Mapping[str, frozenset[str]]]) -> None:
        """Let listings know, from `apps()`, which apps each user (by pb_id) holds identities
        in (the identity store beside these users calls it; until then, none)."""
        self._apps = apps

    async def get(self, pb_id: str) -> User | None:
        return self._stored(pb_id) if pb_id in self._users else None

    async def get_by_openid(self, openid: str) -> User | None:
        return await self.get(self._by_openid.get(openid, ""))

    async def add_if_absent(self, user: User) -> tuple[User, bool]:
        if (existing := self._by_openid.get(user.openid)) is not None:
            return self._stored(existing), False
        self.insert(user)
        return self._stored(user.pb_id), True

    def insert(self, user: User) -> None:
        """Store `user`, whose openid nobody holds (for the identity store, on this loop)."""
        if user.users_phone and user.users_phone in self._by_phone:
            raise PhoneAlreadyBound
        identifiers = {(name, value) for name, value in _identifiers(user) if value}
        taken = identifiers & self._identifiers
        if taken:
            raise UnionidTaken if {name for name, _ in taken} == {"unionid"} else IdentifierTaken
        self._identifiers |= identifiers
        self._users[user.pb_id] = user
        if user.openid:
            self._by_openid[user.openid] = user.pb_id
        if user.users_phone:
            self._by_phone[user.users_phone] = user.pb_id

    def exists(self, pb_id: str) -> bool:
        return pb_id in self._users

    def holder_of(self, name: str, value: str) -> str | None:
        """The pb_id holding `openid` or `unionid` `value` (for the identity store)."""
        if name == "openid":
            return self._by_openid.get(value)
        return next((u.pb_id for u in self._users.values() if value and u.unionid == value), None)

    def set_ids(self, pb_id: str, *, openid: str | None = None, unionid: str | None = None) -> None:
        """Give the user `openid` and `unionid` (checked free by the caller, on this loop)."""
        user = self._users[pb_id]
        if openid is not None:
            self._by_openid.pop(user.openid, None)
            if openid:
                self._by_openid[openid] = pb_id
        if unionid is not None:
            self._identifiers.discard(("unionid", user.unionid))
            if unionid:
                self._identifiers.add(("unionid", unionid))
        changes: dict[str, Any] = {"openid": openid, "unionid": unionid}
        self._users[pb_id] = replace(user, **{k: v for k, v in changes.items() if v is not None})

    async def save_profile(
        self,
        user: User,
        *,
        users_name: str,
        users_phone: str,
        users_picture: str,
        updated: datetime,
    ) -> User | None:
        pb_id = user.pb_id
        stored = self._users.get(pb_id)
        if not _still_allowed(stored, user):
            return None
        owner = self._by_phone.get(users_phone)
        if owner is not None and owner != pb_id:
            raise PhoneAlreadyBound
        self._by_phone.pop(stored.users_phone, None)
        self._by_phone[users_phone] = pb_id
        self._users[pb_id] = stored.with_profile(
            name=users_name, phone=users_phone, picture=users_picture, at=updated
        )
        return self._stored(pb_id)

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        stored = self._users.get(pb_id)
        if stored is None:
            return None
        cleared = {field.value: "" for field in fields if getattr(stored, field.value)}
        if not cleared:
            return self._stored(pb_id)
        if WithdrawnField.PHONE in cleared:
            self._by_phone.pop(stored.users_phone, None)
        return self._change(pb_id, **cleared, updated=updated)

    async def set_status(self, pb_id: str, status: UserStatus, *, updated: datetime) -> User | None:
        return self._change(pb_id, users_status=status, updated=updated)

    async def set_token_key(self, pb_id: str, token_key: str, *, updated: datetime) -> User | None:
        return self._change(pb_id, token_key=token_key, updated=updated)

    async def delete(self, pb_id: str) -> bool:
        user = self._users.pop(pb_id, None)
        if user is None:
            return False
        self._by_openid.pop(user.openid, None)
        self._by_phone.pop(user.users_phone, None)
        self._identifiers -= set(_identifiers(user))
        return True

    def _change(self, pb_id: str, **changes: Any) -> User | None:
        if pb_id not in self._users:
            return None
        self._users[pb_id] = replace(self._users[pb_id], **changes)
        return self._stored(pb_id)

    async def count(self) -> int:
        return len(self._users)

    async def list_users(self, query: UserQuery, *, limit: int) -> list[User]:
        apps = self._apps()
        chosen = sorted(
            (u for u in self._users.values() if query.matches(u, apps=apps.get(u.pb_id, ()))),
            key=listing_order,
        )
        return [self._stored(user.pb_id) for user in chosen[:limit]]

    async def registrations_per_day(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[date, int]]:
        days = Counter(
            user.created.astimezone(UTC).date()
            for user in self._users.values()
            if since <= user.created < until
        )
        return sorted(days.items())

    async def ping(self) -> None:
        return None

    def stored(self, pb_id: str) -> User:
        """The stored user, as `get` gives it (one that is there)."""
        return self._stored(pb_id)

    def _stored(self, pb_id: str) -> User:
        user = self._users[pb_id]
        if not user.company_id:
            return user
        return replace(user, company=self._companies.get(user.company_id))
