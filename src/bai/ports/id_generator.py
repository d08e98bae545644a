from typing import Protocol

from bai.domain.entities import NewUserKeys


class IdGenerator(Protocol):
    def new_user_keys(self) -> NewUserKeys:
        """Fresh record id, token key, user number and invite code for a new user."""
        ...

    def new_token_key(self) -> str: ...

    def new_session_id(self) -> str:
        """A fresh session id: 15 characters of a-z0-9, like a record id."""
        ...
