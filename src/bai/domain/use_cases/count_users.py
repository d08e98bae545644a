from bai.ports.user_repository import UserRepository


class CountUsers:
    """The number of users in `tbl_auth_users`, for the public counter.

    - Every user counts, whatever their status.
    - The number is exact as of a moment after the request arrived: a registration
      acknowledged by any process before that is counted.
    - The store keeps the count as users come and go, so a read costs the same at ten users as
      at ten million.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self) -> int:
        return await self._users.count()
