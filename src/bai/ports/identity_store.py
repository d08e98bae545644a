from typing import Protocol

from bai.domain.entities import User
from bai.domain.identities import ConflictState, Identity, IdentityConflict


class IdentityStore(Protocol):
    """Storage of users' identities (one per app, `(appid, openid)` unique) and of the
    conflicts waiting for an operator. Each method is atomic on its own; the unique keys decide
    races (`IdentityTaken`, `UnionidTaken`, `IdentifierTaken`) and the caller re-reads.

    Raises `StorageUnavailable` when the store cannot be reached.
    """

    async def find(self, appid: str, openid: str) -> tuple[Identity, User] | None:
        """The identity and its user, as `UserRepository.get` returns it, in one read."""
        ...

    async def user_with_unionid(self, unionid: str) -> User | None:
        """The user holding `unionid`; None for "" or nobody."""
        ...

    async def register(self, user: User, identity: Identity) -> User:
        """Store a new user (`UserRepository.get`'s shape back) with its first identity, both
        or neither. Raises `IdentityTaken` when the identity is held (or, for the primary app,
        the user's openid), `UnionidTaken` when its unionid is, `PhoneAlreadyBound` when its
        phone is, `IdentifierTaken` when a drawn key is."""
        ...

    async def link(self, identity: Identity, *, primary: bool) -> User | None:
        """Add `identity` to the user `identity.pb_id`; with `primary`, it becomes the user's
        own openid too. None when that user is gone. Raises `IdentityTaken` when the identity
        is held, or the user has one in that app already (or, primary, another openid)."""
        ...

    async def note_unionid(self, identity: Identity, unionid: str, *, for_user: bool) -> None:
        """Keep `unionid` as the one WeChat last gave with `identity`; with `for_user`, also
        as the user's, who has none. Raises `UnionidTaken` (and changes nothing) when another
        user holds it."""
        ...

    async def unlink(self, appid: str, openid: str, *, primary: bool) -> Identity | None:
        """Remove the identity (with `primary`, its user's openid too); None when none was."""
        ...

    async def identities_of(self, pb_id: str) -> list[Identity]:
        """The user's identities, by app id."""
        ...

    async def add_conflict(self, conflict: IdentityConflict) -> None:
        """Record `conflict` unless one with its id is recorded already (whatever its state)."""
        ...

    async def conflicts(
        self, *, state: ConflictState | None = ConflictState.OPEN, limit: int = 100
    ) -> list[IdentityConflict]:
        """Conflicts in `state` (None: any), oldest first."""
        ...

    async def conflict(self, conflict_id: str) -> IdentityConflict | None:
        """The conflict with that id, whatever its state; None when there is none."""
        ...

    async def settle_conflict(self, conflict_id: str, state: ConflictState) -> bool:
        """Set an open conflict's state; False when no open conflict has that id."""
        ...

    async def settle_conflicts_of(self, appid: str, openid: str) -> int:
        """Mark the open conflicts about identity `(appid, openid)` resolved (an operator
        moved it); how many."""
        ...
