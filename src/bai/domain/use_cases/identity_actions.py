"""What an operator does about users' identities (`bai users show`, `bai identities link` and
`unlink`), one use case per action; the conflicts WeChat's unionids raise are
`conflict_actions`'s. BAI never merges users by itself: these move one identity at a time, by
hand."""

from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.entities import User
from bai.domain.errors import (
    IdentityRefused,
    IdentityTaken,
    UnknownApp,
    UserNotFound,
)
from bai.domain.identities import Identity
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
