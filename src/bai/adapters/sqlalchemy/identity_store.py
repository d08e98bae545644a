from dataclasses import replace
from typing import Any

from sqlalchemy import delete, exists, false, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bai.adapters.rows.identities import (
    IDENTITY_PREFIX,
    conflict_of_row,
    identity_of_row,
    row_of_conflict,
    row_of_identity,
)
from bai.adapters.rows.tables import (
    UtcDateTime,
    auth_identities,
    auth_users,
    identity_conflicts,
)
from bai.adapters.rows.users import row_of_user, user_of_row
from bai.domain.entities import User
from bai.domain.errors import (
    IdentifierTaken,
    IdentityTaken,
    PhoneAlreadyBound,
    StorageUnavailable,
    UnionidTaken,
)
from bai.domain.identities import ConflictState, Identity, IdentityConflict
from bai.ports.identity_store import IdentityStore

from .reads import Reads, dialect_insert, holding, user_in, users_with_company
from .transactions import write_transaction

users, identities, conflicts = auth_users.c, auth_identities.c, identity_conflicts.c
_FIND = users_with_company(
    auth_identities.join(auth_users, users.pb_id == identities.pb_id)
).add_columns(*(column.label(f"{IDENTITY_PREFIX}{column.name}") for column in identities))


def _identity_key(appid: str, openid: str) -> tuple[Any, Any]:
    return identities.appid == appid, identities.openid == openid


class SqlAlchemyIdentityStore(IdentityStore):
    """Identities and conflicts in PostgreSQL or SQLite. A write is one short transaction (on
    SQLite through the process's write queue); the unique keys and the foreign key to the user
    decide races, and a read is a single statement. A user's identities go with the user (the
    foreign key cascades)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._reads = Reads(engine)
        self._insert = dialect_insert(engine, "identity store")

    async def find(self, appid: str, openid: str) -> tuple[Identity, User] | None:
        rows = await self._reads.rows(_FIND.where(*_identity_key(appid, openid)))
        return (identity_of_row(rows[0], IDENTITY_PREFIX), user_of_row(rows[0])) if rows else None

    async def user_with_unionid(self, unionid: str) -> User | None:
        return await self._reads.user(holding(users.unionid, unionid)) if unionid else None

    async def register(self, user: User, identity: Identity) -> User:
        identity = replace(identity, pb_id=user.pb_id)
        try:
            async with write_transaction(self._engine) as connection:
                await connection.execute(insert(auth_users).values(row_of_user(user)))
                await connection.execute(insert(auth_identities).values(row_of_identity(identity)))
                stored = await user_in(connection, users.pb_id == user.pb_id)
        except IntegrityError as exc:
            raise await self._taken(user, identity) from exc
        if stored is None:
            raise StorageUnavailable
        return stored

    async def _taken(self, user: User, identity: Identity) -> Exception:
        """Which unique key a registration met, asked of the database (its error text differs
        from one driver to the next)."""

        def held(column: Any, value: str) -> Any:
            return exists().where(holding(column, value)) if value else false()

        row = (
            await self._reads.rows(
                select(
                    exists().where(*_identity_key(identity.appid, identity.openid)).label("ident"),
                    held(users.openid, user.openid).label("openid"),
                    held(users.users_phone, user.users_phone).label("phone"),
                    held(users.unionid, user.unionid).label("unionid"),
                )
            )
        )[0]
        if row["ident"] or row["openid"]:
            return IdentityTaken()
        if row["phone"]:
            return PhoneAlreadyBound()
        return UnionidTaken() if row["unionid"] else IdentifierTaken()

    async def link(self, identity: Identity, *, primary: bool) -> User | None:
        pb_id = identity.pb_id
        added = (
            insert(auth_identities)
            .from_select(
                ["appid", "openid", "pb_id", "unionid", "created"],
                select(
                    literal(identity.appid),
                    literal(identity.openid),
                    users.pb_id,
                    literal(identity.unionid),
                    literal(identity.created, UtcDateTime),
                ).where(users.pb_id == pb_id),
            )
            .returning(identities.pb_id)
        )
        try:
            async with write_transaction(self._engine) as connection:
                if primary and not await self._take_openid(connection, identity):
                    return None
                if (await connection.execute(added)).first() is None:
                    return None  # the user is gone
                return await user_in(connection, users.pb_id == pb_id)
        except IntegrityError as exc:
            if await self._reads.user(users.pb_id == pb_id) is None:
                return None  # deleted while the identity was added
            raise IdentityTaken from exc

    async def _take_openid(self, connection: AsyncConnection, identity: Identity) -> bool:
        """Make the identity's openid the user's own; False when the user is gone. Raises
        `IdentityTaken` when the user has another one (and `IntegrityError` when another user
        has this one)."""
        openid = identity.openid
        taken = (
            update(auth_users)
            .where(users.pb_id == identity.pb_id, users.openid.in_(["", openid]))
            .values(openid=openid)
            .returning(users.pb_id)
        )
        if (await connection.execute(taken)).first() is not None:
            return True
        if await user_in(connection, users.pb_id == identity.pb_id) is None:
            return False
        raise IdentityTaken

    async def note_unionid(self, identity: Identity, unionid: str, *, for_user: bool) -> None:
        noted = (
            update(auth_identities)
            .where(*_identity_key(identity.appid, identity.openid))
            .values(unionid=unionid)
            .returning(identities.pb_id)
        )
        try:
            async with write_transaction(self._engine) as connection:
                row = (await connection.execute(noted)).first()
                if row is None or not for_user or not unionid:
                    return
                pb_id = row.pb_id
                holder = select(users.pb_id).where(
                    holding(users.unionid, unionid), users.pb_id != pb_id
                )
                if (await connection.execute(holder)).first() is not None:
                    raise UnionidTaken
                await connection.execute(
                    update(auth_users)
                    .where(users.pb_id == pb_id, users.unionid == "")
                    .values(unionid=unionid)
                )
        except IntegrityError as exc:
            raise UnionidTaken from exc

    async def unlink(self, appid: str, openid: str, *, primary: bool) -> Identity | None:
        removed = (
            delete(auth_identities).where(*_identity_key(appid, openid)).returning(*identities)
        )
        async with write_transaction(self._engine) as connection:
            row = (await connection.execute(removed)).mappings().first()
            if row is None:
                return None
            identity = identity_of_row(row)
            if primary:
                await connection.execute(
                    update(auth_users)
                    .where(users.pb_id == identity.pb_id, users.openid == openid)
                    .values(openid="")
                )
        return identity

    async def identities_of(self, pb_id: str) -> list[Identity]:
        statement = select(auth_identities).where(identities.pb_id == pb_id)
        rows = await self._reads.rows(statement.order_by(identities.appid))
        return [identity_of_row(row) for row in rows]

    async def add_conflict(self, conflict: IdentityConflict) -> None:
        statement = (
            self._insert(identity_conflicts)
            .values(row_of_conflict(conflict))
            .on_conflict_do_nothing(index_elements=["id"])
        )
        async with write_transaction(self._engine) as connection:
            await connection.execute(statement)

    async def conflicts(
        self, *, state: ConflictState | None = ConflictState.OPEN, limit: int = 100
    ) -> list[IdentityConflict]:
        statement = select(identity_conflicts)
        if state is not None:
            statement = statement.where(conflicts.state == state.value)
        statement = statement.order_by(conflicts.created, conflicts.id).limit(limit)
        return [conflict_of_row(row) for row in await self._reads.rows(statement)]

    async def conflict(self, conflict_id: str) -> IdentityConflict | None:
        statement = select(identity_conflicts).where(conflicts.id == conflict_id)
        rows = await self._reads.rows(statement)
        return conflict_of_row(rows[0]) if rows else None

    async def settle_conflict(self, conflict_id: str, state: ConflictState) -> bool:
        return bool(await self._settle(conflicts.id == conflict_id, state=state))

    async def settle_conflicts_of(self, appid: str, openid: str) -> int:
        about = (conflicts.appid == appid) & (conflicts.openid == openid)
        return await self._settle(about, state=ConflictState.RESOLVED)

    async def _settle(self, which: Any, *, state: ConflictState) -> int:
        """Give the open conflicts `which` picks `state`; how many."""
        statement = (
            update(identity_conflicts)
            .where(which, conflicts.state == ConflictState.OPEN.value)
            .values(state=state.value)
            .returning(conflicts.id)
        )
        async with write_transaction(self._engine) as connection:
            return len((await connection.execute(statement)).all())
