from bai.domain.shared_read import SharedRead
from bai.ports.user_repository import UserRepository


class CountUsers:
    """The number of users in `tbl_auth_users`, for the public counter.

    - Every user counts, whatever their status.
    - The number is exact: it is read from the store after the request arrived, so a
      registration acknowledged by any process before that is counted.
    - Requests that arrive together share one read (`SharedRead`); a request never gets a read
      that started before it arrived.
    - The store keeps the count as users come and go, so a read costs the same at ten users as
      at ten million.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._count = SharedRead(users.count)

    async def execute(self) -> int:
        return await self._count()
