"""Who a bearer token belongs to."""

from bai.domain.entities import User, is_record_id
from bai.domain.errors import AccountDisabled, InvalidToken
from bai.ports.token_issuer import TokenIssuer
from bai.ports.user_repository import UserRepository


class Authenticator:
    """Resolves tokens to users.

    - A token names a user; that user must exist and the token must carry that user's current
      signature, so rotating the user's key revokes every token they hold.
    - A token that names something other than a record id names nobody: it is not looked up.
    - A disabled user is refused even with a valid token.
    """

    def __init__(self, *, users: UserRepository, tokens: TokenIssuer) -> None:
        self._users = users
        self._tokens = tokens

    async def holder(self, token: str | None) -> User | None:
        """The user a genuine token belongs to, disabled or not; None for anything else."""
        if not token:
            return None
        user_id = self._tokens.claimed_user_id(token)
        if user_id is None or not is_record_id(user_id):
            return None
        user = await self._users.get(user_id)
        if user is None or not self._tokens.is_valid(token, user):
            return None
        return user

    async def active_user(self, token: str | None) -> User:
        user = await self.holder(token)
        if user is None:
            raise InvalidToken
        if user.is_disabled:
            raise AccountDisabled
        return user
