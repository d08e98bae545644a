from bai.ports.user_repository import UserRepository


class CountUsers:
    """The number of users in `tbl_auth_users`, for the public counter.

    - Every user counts, whatever their status.
    - The number is exact: a registration acknowledged by any process is counted by the next
      request in any process, so the count is read from the store every time.
    - The store keeps the count as users come and go, so asking costs the same at ten users
      as at ten million.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self) -> int:
        return await self._users.count()
