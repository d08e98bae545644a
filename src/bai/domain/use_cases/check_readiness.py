from bai.ports.user_repository import UserRepository


class CheckReadiness:
    """Whether this instance can serve requests, for load balancers.

    - Ready means the user store answers; otherwise `StorageUnavailable`.
    - The store is asked after the request arrived, never an answer from before it.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self) -> None:
        await self._users.ping()
