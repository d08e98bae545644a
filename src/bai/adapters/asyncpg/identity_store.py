from dataclasses import replace
from typing import Any

import asyncpg

from bai.adapters.rows.identities import IDENTITY_PREFIX, identity_of_row
from bai.adapters.rows.tables import IDENTITY_KEY, IDENTITY_PER_APP, unique_when_set
from bai.adapters.rows.users import user_of_row
from bai.domain.entities import User
from bai.domain.errors import (
    BaiError,
    IdentifierTaken,
    IdentityTaken,
    PhoneAlreadyBound,
    StorageUnavailable,
    UnionidTaken,
)
from bai.domain.identities import ConflictState, Identity, IdentityConflict
from bai.ports.identity_store import IdentityStore

from .identity_statements import FIND, REGISTER, register_values
from .pool import LazyPool
from .user_statements import BY_UNIONID

# What a registration met, by the name of the unique key it broke; any other is an identifier.
TAKEN: dict[str, type[BaiError]] = {
    IDENTITY_KEY: IdentityTaken,
    IDENTITY_PER_APP: IdentityTaken,
    unique_when_set("openid"): IdentityTaken,
    unique_when_set("unionid"): UnionidTaken,
    unique_when_set("users_phone"): PhoneAlreadyBound,
}


async def registered(pool: LazyPool, statement: str, values: list[Any]) -> User:
    """The user a registering statement (`REGISTER`, or one that keeps more with it) made, as
    `get` reads it; a unique key another holds is the error that names it."""
    async with pool.connection() as connection:
        try:
            record = await connection.fetchrow(statement, *values)
        except asyncpg.UniqueViolationError as exc:
            raise TAKEN.get(exc.constraint_name or "", IdentifierTaken)() from exc
    if record is None:
        raise StorageUnavailable
    return user_of_row(record)


class AsyncpgIdentityStore(IdentityStore):
    """The sign-in's part of the identity store through asyncpg, one statement each: `find`
    (the identity with its user and company), `user_with_unionid` and `register` (the user and
    its identity). The rest, off the request path, is `rest`'s (the SQLAlchemy store on the
    same database: docs/storage.md says why)."""

    def __init__(self, pool: LazyPool, *, rest: IdentityStore) -> None:
        self._pool = pool
        self._rest = rest

    async def find(self, appid: str, openid: str) -> tuple[Identity, User] | None:
        records = await self._pool.read(FIND, appid, openid)
        if not records:
            return None
        return identity_of_row(records[0], IDENTITY_PREFIX), user_of_row(records[0])

    async def user_with_unionid(self, unionid: str) -> User | None:
        records = await self._pool.read(BY_UNIONID, unionid) if unionid else []
        return user_of_row(records[0]) if records else None

    async def register(self, user: User, identity: Identity) -> User:
        values = register_values(user, replace(identity, pb_id=user.pb_id))
        return await registered(self._pool, REGISTER, values)

    async def link(self, identity: Identity, *, primary: bool) -> User | None:
        return await self._rest.link(identity, primary=primary)

    async def note_unionid(self, identity: Identity, unionid: str, *, for_user: bool) -> None:
        await self._rest.note_unionid(identity, unionid, for_user=for_user)

    async def unlink(self, appid: str, openid: str, *, primary: bool) -> Identity | None:
        return await self._rest.unlink(appid, openid, primary=primary)

    async def identities_of(self, pb_id: str) -> list[Identity]:
        return await self._rest.identities_of(pb_id)

    async def add_conflict(self, conflict: IdentityConflict) -> None:
        await self._rest.add_conflict(conflict)

    async def conflicts(
        self, *, state: ConflictState | None = ConflictState.OPEN, limit: int = 100
    ) -> list[IdentityConflict]:
        return await self._rest.conflicts(state=state, limit=limit)

    async def conflict(self, conflict_id: str) -> IdentityConflict | None:
        return await self._rest.conflict(conflict_id)

    async def settle_conflict(self, conflict_id: str, state: ConflictState) -> bool:
        return await self._rest.settle_conflict(conflict_id, state)

    async def settle_conflicts_of(self, appid: str, openid: str) -> int:
        return await self._rest.settle_conflicts_of(appid, openid)
