from bai.domain.entities import User
from bai.domain.errors import UserNotFound
from bai.ports.user_repository import UserRepository


class FindUser:
    """One user, by record id or by WeChat openid, for operators.

    - A record id is tried first, then an openid; nobody is `UserNotFound`.
    """

    def __init__(self, *, users: UserRepository) -> None:
        self._users = users

    async def execute(self, reference: str) -> User:
        user = await self._users.get(reference) or await self._users.get_by_openid(reference)
        if user is None:
            raise UserNotFound
        return user
