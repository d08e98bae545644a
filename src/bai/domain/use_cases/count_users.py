from bai.ports.user_repository import UserRepository


class CountUsers:
    """The number of users in `tbl_auth_users`, for the public counter.

    - Every user counts, whatever their status.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self) -> int:
        return await self._users.count()
