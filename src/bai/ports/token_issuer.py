from datetime import datetime
from typing import Protocol

from bai.domain.entities import User


class TokenIssuer(Protocol):
    """Auth tokens signed with a key of the user's own, so each user's can be revoked, each
    naming the session it belongs to (its `sid` claim)."""

    def issue(self, user: User, *, session: str, not_after: datetime | None = None) -> str:
        """A token of `session` for `user`, expiring after the token lifetime or at
        `not_after` (the session's absolute end), whichever comes first."""
        ...

    def claimed(self, token: str) -> tuple[str, str] | None:
        """The user id and the session a well-formed token of ours names ("" for a token
        without a session: issued by PocketBase, or before sessions), read once, before any
        signature check; None when it is malformed."""
        ...

    def is_valid(self, token: str, user: User) -> bool:
        """Whether the token is unexpired and signed with this user's key."""
        ...

    def is_refreshable(self, token: str) -> bool:
        """Whether a token (already found valid) may be exchanged for a new one. PocketBase's
        impersonation tokens say no (`refreshable` false): they live until they expire."""
        ...
