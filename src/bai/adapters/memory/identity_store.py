from dataclasses import replace

from bai.domain.entities import User
from bai.domain.errors import IdentityTaken, UnionidTaken
from bai.domain.identities import ConflictState, Identity, IdentityConflict
from bai.ports.identity_store import IdentityStore

from .user_repository import InMemoryUserRepository


class InMemoryIdentityStore(IdentityStore):
    """Identities and conflicts in dictionaries, beside the users of an
    `InMemoryUserRepository`. No method awaits while it reads and writes, so each is atomic on
    one event loop. A deleted user's identities go with it (they are dropped when next met)."""

    def __init__(self, users: InMemoryUserRepository) -> None:
        self._users = users
        self._identities: dict[tuple[str, str], Identity] = {}
        self._conflicts: dict[str, IdentityConflict] = {}
        users.see_apps_through(self._apps_of_users)

    def _apps_of_users(self) -> dict[str, frozenset[str]]:
        apps: dict[str, set[str]] = {}
        for identity in self._identities.values():
            apps.setdefault(identity.pb_id, set()).add(identity.appid)
        return {pb_id: frozenset(held) for pb_id, held in apps.items()}

    def _live(self, appid: str, openid: str) -> Identity | None:
        identity = self._identities.get((appid, openid))
        if identity is not None and not self._exists(identity.pb_id):
            del self._identities[(appid, openid)]
            return None
        return identity

    def _exists(self, pb_id: str) -> bool:
        return self._users.exists(pb_id)

    async def find(self, appid: str, openid: str) -> tuple[Identity, User] | None:
        identity = self._live(appid, openid)
        if identity is None:
            return None
        user = await self._users.get(identity.pb_id)
        return (identity, user) if user is not None else None

    async def user_with_unionid(self, unionid: str) -> User | None:
        pb_id = self._users.holder_of("unionid", unionid) if unionid else None
        return await self._users.get(pb_id) if pb_id is not None else None

    async def register(self, user: User, identity: Identity) -> User:
        if self._live(identity.appid, identity.openid) is not None:
            raise IdentityTaken
        if user.openid and self._users.holder_of("openid", user.openid) is not None:
            raise IdentityTaken
        self._users.insert(user)
        self._identities[(identity.appid, identity.openid)] = replace(identity, pb_id=user.pb_id)
        return self._users.stored(user.pb_id)

    async def link(self, identity: Identity, *, primary: bool) -> User | None:
        pb_id = identity.pb_id
        if not self._exists(pb_id):
            return None
        if self._live(identity.appid, identity.openid) is not None:
            raise IdentityTaken
        if any(each.appid == identity.appid for each in self._of(pb_id)):
            raise IdentityTaken
        if primary:
            holder = self._users.holder_of("openid", identity.openid)
            own = (await self._users.get(pb_id)).openid  # type: ignore[union-attr]
            if holder not in {None, pb_id} or own not in {"", identity.openid}:
                raise IdentityTaken
            self._users.set_ids(pb_id, openid=identity.openid)
        self._identities[(identity.appid, identity.openid)] = identity
        return await self._users.get(pb_id)

    async def note_unionid(self, identity: Identity, unionid: str, *, for_user: bool) -> None:
        stored = self._live(identity.appid, identity.openid)
        if stored is None:
            return
        if for_user:
            holder = self._users.holder_of("unionid", unionid)
            if holder is not None and holder != stored.pb_id:
                raise UnionidTaken
            user = await self._users.get(stored.pb_id)
            if user is not None and not user.unionid:
                self._users.set_ids(stored.pb_id, unionid=unionid)
        self._identities[(identity.appid, identity.openid)] = replace(stored, unionid=unionid)

    async def unlink(self, appid: str, openid: str, *, primary: bool) -> Identity | None:
        identity = self._live(appid, openid)
        if identity is None:
            return None
        del self._identities[(appid, openid)]
        if primary and self._users.holder_of("openid", openid) == identity.pb_id:
            self._users.set_ids(identity.pb_id, openid="")
        return identity

    def _of(self, pb_id: str) -> list[Identity]:
        return [each for each in list(self._identities.values()) if each.pb_id == pb_id]

    async def identities_of(self, pb_id: str) -> list[Identity]:
        if not self._exists(pb_id):
            return []
        return sorted(self._of(pb_id), key=lambda each: each.appid)

    async def add_conflict(self, conflict: IdentityConflict) -> None:
        self._conflicts.setdefault(conflict.id, conflict)

    async def conflicts(
        self, *, state: ConflictState | None = ConflictState.OPEN, limit: int = 100
    ) -> list[IdentityConflict]:
        chosen = [each for each in self._conflicts.values() if state in {None, each.state}]
        return sorted(chosen, key=lambda each: (each.created, each.id))[:limit]

    async def conflict(self, conflict_id: str) -> IdentityConflict | None:
        return self._conflicts.get(conflict_id)

    async def settle_conflict(self, conflict_id: str, state: ConflictState) -> bool:
        conflict = self._conflicts.get(conflict_id)
        if conflict is None or conflict.state is not ConflictState.OPEN:
            return False
        self._conflicts[conflict_id] = replace(conflict, state=state)
        return True

    async def settle_conflicts_of(self, appid: str, openid: str) -> int:
        about = [
            each
            for each in self._conflicts.values()
            if (each.appid, each.openid) == (appid, openid) and each.state is ConflictState.OPEN
        ]
        for each in about:
            self._conflicts[each.id] = replace(each, state=ConflictState.RESOLVED)
        return len(about)
