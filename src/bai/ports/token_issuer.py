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
