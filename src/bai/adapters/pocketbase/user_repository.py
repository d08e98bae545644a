from datetime import date, datetime
from typing import Any

from bai.adapters.like import containing
from bai.domain.entities import User, UserStatus, is_record_id
from bai.domain.errors import (
    BaiError,
    IdentifierTaken,
    IdentityTaken,
    PhoneAlreadyBound,
    UnionidTaken,
)
from bai.domain.push_events import WithdrawnField
from bai.domain.user_query import UserQuery
from bai.ports.user_repository import UserRepository

from .client import PocketBaseClient, served_as
from .records import pocketbase_bound, pocketbase_time, record_of, user_of

CONFLICT = 409
# What a 409 of BAI's hook names as taken, as BAI's errors; any other value is a drawn key.
_TAKEN: dict[str, type[BaiError]] = {
    "identity": IdentityTaken,
    "unionid": UnionidTaken,
    "users_phone": PhoneAlreadyBound,
}


def taken(answer: dict[str, Any]) -> BaiError:
    """The error a 409 of BAI's hook stands for."""
    return _TAKEN.get(str(answer.get("taken", "")), IdentifierTaken)()


def user_in(answer: dict[str, Any]) -> User | None:
    """The user of an answer of BAI's hook; None when it has none."""
    record = answer.get("user")
    return served(record) if isinstance(record, dict) else None


def served(record: dict[str, Any]) -> User:
    return served_as(user_of, record, "tbl_auth_users")


class PocketBaseUserRepository(UserRepository):
    """Users in a live PocketBase's `tbl_auth_users`, where the rest of the team's PocketBase
    app sees them. Every call is one request to BAI's hook, which does the work in one
    PocketBase transaction: the collection's unique indexes decide races, and a profile is
    written only for a user still active with the token key BAI checked. `created` and
    `updated` are BAI's clock, as on every other store."""

    def __init__(self, client: PocketBaseClient) -> None:
        self._client = client

    async def get(self, pb_id: str) -> User | None:
        if not is_record_id(pb_id):
            return None
        _, answer = await self._client.call("user", id=pb_id)
        return user_in(answer)

    async def get_by_openid(self, openid: str) -> User | None:
        if not openid:
            return None
        _, answer = await self._client.call("user", openid=openid)
        return user_in(answer)

    async def add_if_absent(self, user: User) -> tuple[User, bool]:
        status, answer = await self._client.call("add", **record_of(user))
        if status == CONFLICT:
            raise taken(answer)
        stored = user_in(answer)
        if stored is None:
            raise IdentifierTaken
        return stored, bool(answer.get("added"))

    async def save_profile(
        self,
        user: User,
        *,
        users_name: str,
        users_phone: str,
        users_picture: str,
        updated: datetime,
    ) -> User | None:
        status, answer = await self._client.call(
            "profile",
            id=user.pb_id,
            tokenKey=user.token_key,
            users_name=users_name,
            users_phone=users_phone,
            users_picture=users_picture,
            updated=pocketbase_time(updated),
        )
        if status == CONFLICT:
            raise PhoneAlreadyBound
        return user_in(answer)

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        if not is_record_id(pb_id):
            return None
        _, answer = await self._client.call(
            "withdraw",
            id=pb_id,
            fields=",".join(sorted(fields)),
            updated=pocketbase_time(updated),
        )
        return user_in(answer)

    async def set_status(self, pb_id: str, status: UserStatus, *, updated: datetime) -> User | None:
        _, answer = await self._client.call(
            "status", id=pb_id, users_status=status.value, updated=pocketbase_time(updated)
        )
        return user_in(answer)

    async def set_token_key(self, pb_id: str, token_key: str, *, updated: datetime) -> User | None:
        _, answer = await self._client.call(
            "token_key", id=pb_id, tokenKey=token_key, updated=pocketbase_time(updated)
        )
        return user_in(answer)

    async def delete(self, pb_id: str) -> bool:
        _, answer = await self._client.call("delete", id=pb_id)
        return bool(answer.get("deleted"))

    async def count(self) -> int:
        _, answer = await self._client.call("count")
        return int(answer.get("total", 0))

    async def list_users(self, query: UserQuery, *, limit: int) -> list[User]:
        after = query.after
        _, answer = await self._client.call(
            "list",
            status=query.status.value if query.status is not None else "",
            since=pocketbase_bound(query.since) if query.since is not None else "",
            has_phone=query.has_phone,
            after=pocketbase_time(after.created) if after is not None else "",
            after_id=after.pb_id if after is not None else "",
            limit=limit,
            pb_id=query.pb_id or "",
            phone=query.phone or "",
            name=containing(query.name) if query.name is not None else "",
            app=query.app or "",
        )
        records = answer.get("users")
        return [served(record) for record in records] if isinstance(records, list) else []

    async def registrations_per_day(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[date, int]]:
        _, answer = await self._client.call(
            "registrations",
            since=pocketbase_bound(since),
            until=pocketbase_bound(until),
        )
        days = answer.get("days")
        if not isinstance(days, list):
            return []
        return [(date.fromisoformat(str(day["day"])), int(day["total"])) for day in days]

    async def ping(self) -> None:
        await self._client.call("ping")
