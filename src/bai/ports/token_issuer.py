from typing import Protocol

from bai.domain.entities import User


class TokenIssuer(Protocol):
    """Auth tokens signed with a key of the user's own, so each user's can be revoked."""

    def issue(self, user: User) -> str: ...

    def claimed_user_id(self, token: str) -> str | None:
        """The user id a well-formed token of ours names, before any signature check."""
        ...

    def is_valid(self, token: str, user: User) -> bool:
        """Whether the token is unexpired and signed with this user's key."""
        ...

    def is_refreshable(self, token: str) -> bool:
        """Whether a token (already found valid) may be exchanged for a new one. PocketBase's
        impersonation tokens say no (`refreshable` false): they live until they expire."""
        ...
