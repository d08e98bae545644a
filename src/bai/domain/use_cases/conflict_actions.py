"""What an operator does about the conflicts WeChat's unionids raise (`bai identities conflicts`,
`dismiss`, `link-conflict`, and the console's conflicts page): list them, dismiss one, or move
its identity to the user holding the unionid. BAI never merges users by itself."""

from dataclasses import dataclass, field, replace

from bai.domain.entities import is_record_id
from bai.domain.errors import ConflictNotFound, IdentityRefused
from bai.domain.identities import ConflictState, IdentityConflict
from bai.domain.use_cases.identity_actions import (
    LinkIdentity,
    LinkIdentityCommand,
    LinkIdentityResult,
    UnlinkIdentity,
    UnlinkIdentityCommand,
)
from bai.domain.user_query import PageSize
from bai.domain.values import WeChatIdentity
from bai.ports.identity_store import IdentityStore


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
