from bai.domain.shared_read import SharedRead
from bai.ports.user_repository import UserRepository


class CheckReadiness:
    """Whether this instance can serve requests, for load balancers.

    - Ready means the user store answers; otherwise `StorageUnavailable`.
    - The store is asked after the request arrived, never an answer from before it.
    - Requests that arrive together share one ping (`SharedRead`), so a crowd of them costs the
      store one round trip at a time, not one each.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._ping = SharedRead(users.ping)

    async def execute(self) -> None:
        await self._ping()
