"""Who a bearer token belongs to."""

from bai.domain.entities import User
from bai.domain.errors import AccountDisabled, InvalidToken
from bai.ports.token_issuer import TokenIssuer
from bai.ports.user_repository import UserRepository


class Authenticator:
    """Resolves tokens to users.

    - A token names a user; that user must exist and the token must carry that user's current
      signature, so rotating the user's key revokes every token they hold.
    - A disabled user is refused even with a valid token.
    """

    def __init__(self, *, users: UserRepository, tokens: TokenIssuer) -> None:
        self._users = users
        self._tokens = tokens

    async def holder(self, token: str | None) -> User | None:
        """The user a genuine token belongs to, disabled or not; None for anything else."""
        if not token or (user_id := self._tokens.claimed_user_id(token)) is None:
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
