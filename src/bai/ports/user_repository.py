from datetime import date, datetime
from typing import Protocol

from bai.domain.entities import User, UserStatus
from bai.domain.push_events import WithdrawnField
from bai.domain.user_query import UserQuery


class UserRepository(Protocol):
    """Storage of `tbl_auth_users`. Each method is atomic on its own.

    Raises `StorageUnavailable` when the store cannot be reached.
    """

    async def get(self, pb_id: str) -> User | None: ...

    async def get_by_openid(self, openid: str) -> User | None: ...

    async def add_if_absent(self, user: User) -> tuple[User, bool]:
        """Store `user` unless one with its openid exists; return the stored one and whether
        it was created. Concurrent calls with one openid create exactly one user."""
        ...

    async def save_profile(
        self,
        user: User,
        *,
        users_name: str,
        users_phone: str,
        users_picture: str,
        updated: datetime,
    ) -> User | None:
        """Set the profile of `user` if, when the write lands, the stored user is still active
        and still has `user`'s token key; None otherwise (gone, disabled or revoked since).

        Raises `PhoneAlreadyBound` when another user holds the phone; of concurrent claims of
        one phone exactly one wins."""
        ...

    async def withdraw(
        self, pb_id: str, fields: frozenset[WithdrawnField], *, updated: datetime
    ) -> User | None:
        """Clear `fields` (set them to "") of the user, whatever their status or token key (a
        person withdrew them: it must hold for a disabled user too); `updated` is set only
        when something was cleared. The user as stored after; None when there is none."""
        ...

    async def set_status(
        self, pb_id: str, status: UserStatus, *, updated: datetime
    ) -> User | None: ...

    async def set_token_key(self, pb_id: str, token_key: str, *, updated: datetime) -> User | None:
        """Replace the user's signing key, which revokes every token issued before."""
        ...

    async def delete(self, pb_id: str) -> bool:
        """Remove the user; False if there was none."""
        ...

    async def count(self) -> int: ...

    async def list_users(self, query: UserQuery, *, limit: int) -> list[User]:
        """The first `limit` users that `query` matches, in the listing order (`created`, then
        `pb_id`), each with its company as `get` returns it."""
        ...

    async def registrations_per_day(
        self, *, since: datetime, until: datetime
    ) -> list[tuple[date, int]]:
        """How many users registered (`created`) in [`since`, `until`), per UTC day: only the
        days with registrations, oldest first."""
        ...

    async def ping(self) -> None:
        """Return when the store answers; raise `StorageUnavailable` otherwise."""
        ...
