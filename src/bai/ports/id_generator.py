from typing import Protocol

from bai.domain.entities import NewUserKeys


class IdGenerator(Protocol):
    def new_user_keys(self) -> NewUserKeys:
        """Fresh record id, token key, user number and invite code for a new user."""
        ...

    def new_token_key(self) -> str: ...

    def new_record_id(self) -> str:
        """A fresh id of a session, operator or audit entry: 15 characters of a-z0-9, like
        PocketBase's record ids."""
        ...
