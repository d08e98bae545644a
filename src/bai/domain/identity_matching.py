"""Who signs in when WeChat vouches for `(app, openid, unionid)`: SPEC's rules, in one place."""

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from enum import Enum

from bai.domain.apps import Apps
from bai.domain.entities import User
from bai.domain.errors import (
    AccountDisabled,
    IdentifierTaken,
    IdentityTaken,
    UnionidTaken,
    UserNotFound,
)
from bai.domain.identities import ConflictKind, Identity, IdentityConflict
from bai.domain.values import WeChatIdentity
from bai.ports.clock import Clock
from bai.ports.id_generator import IdGenerator
from bai.ports.identity_store import IdentityStore
from bai.ports.user_repository import UserRepository

# A race lost to another sign-in of the same person is re-read; a few rounds settle any.
ATTEMPTS = 4

Found = tuple[Identity, User] | None  # an identity and its user, as `IdentityStore.find` reads
# What registers a new user with their first identity (`IdentityStore.register` unless the
# caller keeps more with them in the same step, as a sign-in does its session).
Registrar = Callable[[User, Identity], Awaitable[User]]


class Unread(Enum):
    UNREAD = "unread"  # the identity has not been read yet


UNREAD = Unread.UNREAD


@dataclass(frozen=True, slots=True)
class SignIn:
    user: User
    registered: bool


class IdentityMatching:
    """The user an identity WeChat vouched for belongs to, linking and registering as SPEC's
    "Several mini-programs, one user" says. With app A, openid o and unionid u (maybe ""):

    1. `(A, o)` is a known identity: its user, whatever u says. A user without unionid gets u
       unless another user holds it (then, at a later sign-in, once nobody does); a u held by
       another user, or differing from the user's own, is recorded as a conflict for an
       operator and changes neither user.
    2. Else a user holds u: `(A, o)` is added to that user. A disabled one is
       `AccountDisabled`, and nothing is added or created.
    3. Else, when registering, a new user with the identity; otherwise `UserNotFound`.
       (When the user holding u has another openid in A already, the person is a user of
       their own, registered without u, and a conflict is recorded.)

    BAI never merges users. The store's unique keys decide races: two first sign-ins of one
    person in two apps at once make one user (the loser re-reads and links). The primary app's
    openid is also the user's `openid`; a user who has it but no identity yet (made by an older
    BAI, or by PocketBase's side) is given the identity at their next sign-in.
    """

    def __init__(
        self,
        *,
        identities: IdentityStore,
        users: UserRepository,
        apps: Apps,
        ids: IdGenerator,
        clock: Clock,
    ) -> None:
        self._identities = identities
        self._users = users
        self._apps = apps
        self._ids = ids
        self._clock = clock

    async def sign_in(
        self,
        appid: str,
        who: WeChatIdentity,
        *,
        register: bool,
        read: Found | Unread = UNREAD,
        registrar: Registrar | None = None,
    ) -> SignIn:
        """`read`: what the caller read of `(appid, who.openid)` already (the first round
        does not read it again); `registrar`: what registers a new user (by default the
        identity store)."""
        registers = registrar or self._identities.register
        for _ in range(ATTEMPTS - 1):
            with suppress(IdentityTaken, UnionidTaken, IdentifierTaken):
                return await self._match(appid, who, register=register, read=read, by=registers)
            read = UNREAD
        return await self._match(appid, who, register=register, read=read, by=registers)

    async def _match(
        self,
        appid: str,
        who: WeChatIdentity,
        *,
        register: bool,
        read: Found | Unread,
        by: Registrar,
    ) -> SignIn:
        found = await self._known(appid, who.openid, read)
        if found is not None:
            identity, user = found
            await self._note_unionid(identity, user, who.unionid)
            return SignIn(user, registered=False)
        holder = await self._identities.user_with_unionid(who.unionid)
        if holder is not None:
            if holder.is_disabled:
                raise AccountDisabled
            return await self._link(appid, who, holder, register=register, by=by)
        if not register:
            raise UserNotFound
        return SignIn(await self._register(appid, who, by), registered=True)

    async def _known(self, appid: str, openid: str, read: Found | Unread) -> Found:
        found = await self._identities.find(appid, openid) if read is UNREAD else read
        if found is not None or not self._apps.is_primary(appid):
            return found
        user = await self._users.get_by_openid(openid)
        if user is None:
            return None
        identity = self._identity(appid, WeChatIdentity(openid), user.pb_id)
        try:
            adopted = await self._identities.link(identity, primary=True)
        except IdentityTaken:
            if await self._identities.find(appid, openid) is not None:
                raise  # a race: another sign-in adopted it; the next round finds it
            return identity, user  # holds another primary identity: the openid still matches
        return (identity, adopted) if adopted is not None else None

    async def _link(
        self, appid: str, who: WeChatIdentity, holder: User, *, register: bool, by: Registrar
    ) -> SignIn:
        identity = self._identity(appid, who, holder.pb_id)
        try:
            linked = await self._identities.link(identity, primary=self._apps.is_primary(appid))
        except IdentityTaken:
            if await self._identities.find(appid, who.openid) is not None:
                raise  # a race: the next round finds the identity
            # The unionid's user holds another openid in this app: never merged, so this
            # person is a user of their own (not made by a refresh) and an operator is told.
            if not register:
                raise UserNotFound from None
            user = await self._register(appid, WeChatIdentity(who.openid), by)
            await self._conflict(ConflictKind.UNIONID_TAKEN, identity, user, who.unionid, holder)
            return SignIn(user, registered=True)
        if linked is None:
            raise IdentityTaken  # the holder was deleted meanwhile: read again
        return SignIn(linked, registered=False)

    async def _register(self, appid: str, who: WeChatIdentity, by: Registrar) -> User:
        primary = self._apps.is_primary(appid)
        user = User.register(
            who, keys=self._ids.new_user_keys(), now=self._clock.now(), primary=primary
        )
        return await by(user, self._identity(appid, who, user.pb_id))

    async def _note_unionid(self, identity: Identity, user: User, unionid: str) -> None:
        """Rule 1's unionid. Costs nothing while WeChat repeats what is kept; a conflict is
        recorded once (its id is derived), and a user whose unionid was another's gets it once
        that other no longer holds it."""
        if not unionid or unionid == identity.unionid == user.unionid:
            return
        if user.unionid == unionid:
            await self._identities.note_unionid(identity, unionid, for_user=False)
            return
        held = unionid == identity.unionid  # met before: its conflict is recorded
        if user.unionid:
            if not held:
                holder = await self._identities.user_with_unionid(unionid)
                await self._conflict(ConflictKind.UNIONID_CHANGED, identity, user, unionid, holder)
                await self._identities.note_unionid(identity, unionid, for_user=False)
            return
        if held and await self._identities.user_with_unionid(unionid) is not None:
            return
        try:
            await self._identities.note_unionid(identity, unionid, for_user=True)
        except UnionidTaken:
            holder = await self._identities.user_with_unionid(unionid)
            await self._conflict(ConflictKind.UNIONID_TAKEN, identity, user, unionid, holder)
            await self._identities.note_unionid(identity, unionid, for_user=False)

    async def _conflict(
        self, kind: ConflictKind, identity: Identity, user: User, unionid: str, other: User | None
    ) -> None:
        await self._identities.add_conflict(
            IdentityConflict(
                kind=kind,
                appid=identity.appid,
                openid=identity.openid,
                unionid=unionid,
                pb_id=user.pb_id,
                other_pb_id=other.pb_id if other is not None else "",
                created=self._clock.now(),
            )
        )

    def _identity(self, appid: str, who: WeChatIdentity, pb_id: str) -> Identity:
        return Identity(
            appid=appid,
            openid=who.openid,
            pb_id=pb_id,
            unionid=who.unionid,
            created=self._clock.now(),
        )
