from typing import Any

from bai.domain.entities import User, is_record_id
from bai.domain.identities import ConflictKind, ConflictState, Identity, IdentityConflict
from bai.ports.identity_store import IdentityStore

from .client import PocketBaseClient, served_as
from .records import identity_of, identity_record, moment, pocketbase_time, record_of, text, utc_now
from .user_repository import CONFLICT, taken, user_in


def _identity(record: dict[str, Any]) -> Identity:
    return served_as(identity_of, record, "tbl_auth_identities")


def _conflict_of(record: dict[str, Any]) -> IdentityConflict:
    return IdentityConflict(
        kind=ConflictKind(text(record, "kind")),
        appid=text(record, "appid"),
        openid=text(record, "openid"),
        unionid=text(record, "unionid"),
        pb_id=text(record, "pb_id"),
        other_pb_id=text(record, "other_pb_id"),
        state=ConflictState(text(record, "state")),
        created=moment(record, "created", utc_now),
    )


def _conflict(record: dict[str, Any]) -> IdentityConflict:
    return served_as(_conflict_of, record, "tbl_identity_conflicts")


def _records(answer: dict[str, Any], key: str) -> list[dict[str, Any]]:
    records = answer.get(key)
    return [each for each in records if isinstance(each, dict)] if isinstance(records, list) else []


class PocketBaseIdentityStore(IdentityStore):
    """Identities in a live PocketBase's `tbl_auth_identities` (a relation to the user, which
    PocketBase deletes with the user) and conflicts in `tbl_identity_conflicts`
    (`contrib/pocketbase/pb_migrations/1700000001_bai_identities.js`). Every call is one request
    to BAI's hook, each write one PocketBase transaction; a unique value taken comes back as
    409 naming it. Users made before identities existed get theirs when they next sign in
    (`IdentityMatching`): the migration cannot know the primary app."""

    def __init__(self, client: PocketBaseClient) -> None:
        self._client = client

    async def find(self, appid: str, openid: str) -> tuple[Identity, User] | None:
        if not appid or not openid:
            return None
        _, answer = await self._client.call("find", appid=appid, openid=openid)
        identity, user = answer.get("identity"), user_in(answer)
        if not isinstance(identity, dict) or user is None:
            return None
        return _identity(identity), user

    async def user_with_unionid(self, unionid: str) -> User | None:
        if not unionid:
            return None
        _, answer = await self._client.call("user_with_unionid", unionid=unionid)
        return user_in(answer)

    async def register(self, user: User, identity: Identity) -> User:
        status, answer = await self._client.call(
            "register", identity=identity_record(identity), **record_of(user)
        )
        stored = user_in(answer)
        if status == CONFLICT or stored is None:
            raise taken(answer)
        return stored

    async def link(self, identity: Identity, *, primary: bool) -> User | None:
        if not is_record_id(identity.pb_id):
            return None
        status, answer = await self._client.call(
            "link", primary=primary, **identity_record(identity)
        )
        if status == CONFLICT:
            raise taken(answer)
        return user_in(answer)

    async def note_unionid(self, identity: Identity, unionid: str, *, for_user: bool) -> None:
        status, answer = await self._client.call(
            "note_unionid",
            appid=identity.appid,
            openid=identity.openid,
            unionid=unionid,
            for_user=for_user,
        )
        if status == CONFLICT:
            raise taken(answer)

    async def unlink(self, appid: str, openid: str, *, primary: bool) -> Identity | None:
        _, answer = await self._client.call("unlink", appid=appid, openid=openid, primary=primary)
        identity = answer.get("identity")
        return _identity(identity) if isinstance(identity, dict) else None

    async def identities_of(self, pb_id: str) -> list[Identity]:
        if not is_record_id(pb_id):
            return []
        _, answer = await self._client.call("identities_of", pb_id=pb_id)
        return [_identity(record) for record in _records(answer, "identities")]

    async def add_conflict(self, conflict: IdentityConflict) -> None:
        await self._client.call(
            "add_conflict",
            id=conflict.id,
            kind=conflict.kind.value,
            appid=conflict.appid,
            openid=conflict.openid,
            unionid=conflict.unionid,
            pb_id=conflict.pb_id,
            other_pb_id=conflict.other_pb_id,
            state=conflict.state.value,
            created=pocketbase_time(conflict.created),
        )

    async def conflicts(
        self, *, state: ConflictState | None = ConflictState.OPEN, limit: int = 100
    ) -> list[IdentityConflict]:
        if limit < 1:
            return []
        _, answer = await self._client.call(
            "conflicts", state=state.value if state is not None else "", limit=limit
        )
        return [_conflict(record) for record in _records(answer, "conflicts")]

    async def conflict(self, conflict_id: str) -> IdentityConflict | None:
        _, answer = await self._client.call("conflict", id=conflict_id)
        found = _records(answer, "conflicts")
        return _conflict(found[0]) if found else None

    async def settle_conflict(self, conflict_id: str, state: ConflictState) -> bool:
        _, answer = await self._client.call("settle_conflict", id=conflict_id, state=state.value)
        return bool(answer.get("settled"))

    async def settle_conflicts_of(self, appid: str, openid: str) -> int:
        _, answer = await self._client.call(
            "settle_conflicts_of",
            appid=appid,
            openid=openid,
            state=ConflictState.RESOLVED.value,
        )
        return int(answer.get("settled", 0))
