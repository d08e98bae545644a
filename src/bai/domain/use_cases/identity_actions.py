"""What an operator does about users' identities and the conflicts WeChat's unionids raise
(`bai users show`, `bai identities ...`, and anything later that needs them), one use case per
action. BAI never merges users by itself: these move one identity at a time, by hand."""

from dataclasses import dataclass, field, replace

from bai.domain.apps import Apps
from bai.domain.entities import User, is_record_id
from bai.domain.errors import (
    ConflictNotFound,
    IdentityRefused,
    IdentityTaken,
    UnknownApp,
    UserNotFound,
)
from bai.domain.identities import ConflictState, Identity, IdentityConflict
from bai.domain.user_query import PageSize
from bai.domain.values import WeChatIdentity
from bai.ports.clock import Clock
from bai.ports.identity_store import IdentityStore
from bai.ports.user_repository import UserRepository


class ShowIdentities:
    """A user's identities, one per app, by app id; an unknown user is `UserNotFound`."""

    def __init__(self, *, users: UserRepository, identities: IdentityStore) -> None:
        self._users, self._identities = users, identities

    async def execute(self, pb_id: str) -> tuple[Identity, ...]:
        if await self._users.get(pb_id) is None:
            raise UserNotFound
        return tuple(await self._identities.identities_of(pb_id))


@dataclass(frozen=True, slots=True, kw_only=True)
class ListConflictsCommand:
    settled_too: bool = False  # dismissed and resolved ones as well as the open ones
    page_size: PageSize = field(default_factory=PageSize)


@dataclass(frozen=True, slots=True)
class ListConflictsResult:
    conflicts: tuple[IdentityConflict, ...]
    more: bool  # others follow the page


class ListConflicts:
    """The identity conflicts waiting for an operator, oldest first.

    - Open ones only, unless settled ones are asked for too.
    - At most a page; `more` says that others follow (settling these brings them up).
    """

    def __init__(self, *, identities: IdentityStore) -> None:
        self._identities = identities

    async def execute(self, command: ListConflictsCommand) -> ListConflictsResult:
        state = None if command.settled_too else ConflictState.OPEN
        size = command.page_size.value
        found = await self._identities.conflicts(state=state, limit=size + 1)
        return ListConflictsResult(tuple(found[:size]), more=len(found) > size)


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkIdentityCommand:
    pb_id: str
    app: str
    openid: str


@dataclass(frozen=True, slots=True)
class LinkIdentityResult:
    user: User
    identity: Identity
    settled: int  # open conflicts about the identity, now resolved


class LinkIdentity:
    """An operator gives user `pb_id` the identity `(app, openid)`.

    - `app` is a configured mini-program (`UnknownApp`), `openid` one WeChat could give
      (`InvalidField`), and the user exists (`UserNotFound`).
    - `IdentityRefused`, naming the user in the way, when a user holds the identity already
      (the primary app's: also as its `openid`), or when the user has another identity in that
      app (unlink it first): a user has one identity per app, an identity one user.
    - The primary app's identity becomes the user's `openid` too.
    - The open conflicts about the identity are resolved: the operator decided where it goes.
    - The unionid is left for WeChat to give at the identity's next sign-in.
    """

    def __init__(
        self, *, users: UserRepository, identities: IdentityStore, apps: Apps, clock: Clock
    ) -> None:
        self._users, self._identities, self._apps, self._clock = users, identities, apps, clock

    async def execute(self, command: LinkIdentityCommand) -> LinkIdentityResult:
        user, app, openid = await self.refusal(command)
        primary = self._apps.is_primary(app)
        identity = Identity(appid=app, openid=openid, pb_id=user.pb_id, created=self._clock.now())
        try:
            linked = await self._identities.link(identity, primary=primary)
        except IdentityTaken:
            raise IdentityRefused(f"app {app} openid {openid} was linked meanwhile") from None
        if linked is None:
            raise UserNotFound  # deleted meanwhile
        settled = await self._identities.settle_conflicts_of(app, openid)
        return LinkIdentityResult(linked, identity, settled)

    async def refusal(
        self, command: LinkIdentityCommand, *, moving_from: str = ""
    ) -> tuple[User, str, str]:
        """The user, app and openid of `command` when the link breaks no rule (the identity's
        holder may be `moving_from`, whom a move takes it from); otherwise what refuses it."""
        app, openid = command.app, WeChatIdentity(command.openid).openid
        if app not in self._apps:
            raise UnknownApp
        user = await self._users.get(command.pb_id)
        if user is None:
            raise UserNotFound
        primary = self._apps.is_primary(app)
        await self._refuse_what_breaks_a_rule(
            user, app, openid, primary=primary, moving_from=moving_from
        )
        return user, app, openid

    async def _refuse_what_breaks_a_rule(
        self, user: User, app: str, openid: str, *, primary: bool, moving_from: str
    ) -> None:
        found = await self._identities.find(app, openid)
        holder = found[1] if found is not None else None
        if holder is None and primary:
            holder = await self._users.get_by_openid(openid)
            holder = None if holder is not None and holder.pb_id == user.pb_id else holder
        if holder is not None and moving_from and holder.pb_id == moving_from:
            holder = None  # the user a move takes it from
        if holder is not None:
            raise IdentityRefused(f"app {app} openid {openid} belongs to user {holder.pb_id}")
        identities = await self._identities.identities_of(user.pb_id)
        held = next((each.openid for each in identities if each.appid == app), "")
        if not held and primary and user.openid != openid:
            held = user.openid  # a user made before identities were kept
        if held:
            raise IdentityRefused(
                f"user {user.pb_id} has an identity in app {app} already: unlink it first"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class UnlinkIdentityCommand:
    app: str
    openid: str


@dataclass(frozen=True, slots=True)
class UnlinkIdentityResult:
    identity: Identity  # the one removed, naming the user it was taken from
    settled: int  # open conflicts about it, now resolved


class UnlinkIdentity:
    """An operator takes the identity `(app, openid)` from its user.

    - An identity nobody holds is `IdentityRefused`. The app need not be configured still: an
      app's identities outlive it in the configuration, and an operator may clear them.
    - The primary app's identity takes the user's `openid` with it.
    - The user stays, with no identity left if this was the last (`bai users delete` removes it).
    - The open conflicts about the identity are resolved. The person's next sign-in in that app
      follows SPEC's rules 2 and 3: to the user holding their unionid, else a new user.
    """

    def __init__(self, *, identities: IdentityStore, apps: Apps) -> None:
        self._identities, self._apps = identities, apps

    async def execute(self, command: UnlinkIdentityCommand) -> UnlinkIdentityResult:
        app, openid = command.app, WeChatIdentity(command.openid).openid
        removed = await self._identities.unlink(app, openid, primary=self._apps.is_primary(app))
        if removed is None:
            raise IdentityRefused(f"no user has app {app} openid {openid}")
        settled = await self._identities.settle_conflicts_of(app, openid)
        return UnlinkIdentityResult(removed, settled)


class DismissConflict:
    """An operator leaves both users of a conflict as they are.

    - Only an open conflict is dismissed; any other id is `ConflictNotFound`.
    - The same situation met again is the same conflict (its id says so), so a person who
      keeps signing in does not bring it back.
    """

    def __init__(self, *, identities: IdentityStore) -> None:
        self._identities = identities

    async def execute(self, conflict_id: str) -> None:
        if not is_record_id(conflict_id) or not await self._identities.settle_conflict(
            conflict_id, ConflictState.DISMISSED
        ):
            raise ConflictNotFound


class MoveIdentity:
    """An operator moves the identity `(app, openid)` from the user holding it to user `pb_id`
    (the console's "link" of a conflict: the person is the unionid's holder).

    - The identity is held (`IdentityRefused` otherwise, and when `pb_id` holds it already),
      and linking it to `pb_id` breaks none of `LinkIdentity`'s rules (a configured app, a user
      that exists, no other identity of theirs in that app, the primary openid of a user made
      before identities were kept): all checked before anything moves.
    - It is unlinked, then linked, as `UnlinkIdentity` and `LinkIdentity` do; the open conflicts
      about it are resolved. Between the two steps a sign-in by that identity follows SPEC's
      rules 2 and 3 (to the unionid's holder), so a failure between them loses nobody.
    - The user it is taken from stays, with no identity left if this was the last.
    """

    def __init__(
        self, *, identities: IdentityStore, unlink: UnlinkIdentity, link: LinkIdentity
    ) -> None:
        self._identities, self._unlink, self._link = identities, unlink, link

    async def execute(self, command: LinkIdentityCommand) -> LinkIdentityResult:
        openid = WeChatIdentity(command.openid).openid
        found = await self._identities.find(command.app, openid)
        if found is None:
            raise IdentityRefused(f"no user has app {command.app} openid {openid}")
        if found[1].pb_id == command.pb_id:
            raise IdentityRefused(f"user {command.pb_id} has app {command.app} openid already")
        await self._link.refusal(command, moving_from=found[1].pb_id)
        unlinked = await self._unlink.execute(UnlinkIdentityCommand(app=command.app, openid=openid))
        linked = await self._link.execute(command)
        return replace(linked, settled=unlinked.settled + linked.settled)


class LinkConflict:
    """An operator links an open conflict: its identity goes to the user holding the unionid
    (`MoveIdentity`). Only an open conflict with such a user is linked; any other id is
    `ConflictNotFound`, and a conflict whose unionid nobody else holds is `IdentityRefused`
    (dismiss it instead)."""

    def __init__(self, *, identities: IdentityStore, move: MoveIdentity) -> None:
        self._identities, self._move = identities, move

    async def execute(self, conflict_id: str) -> tuple[IdentityConflict, LinkIdentityResult]:
        conflict = (
            await self._identities.conflict(conflict_id) if is_record_id(conflict_id) else None
        )
        if conflict is None or conflict.state is not ConflictState.OPEN:
            raise ConflictNotFound
        if not conflict.other_pb_id:
            raise IdentityRefused("nobody else holds its unionid: dismiss it")
        moving = LinkIdentityCommand(
            pb_id=conflict.other_pb_id, app=conflict.appid, openid=conflict.openid
        )
        return conflict, await self._move.execute(moving)
