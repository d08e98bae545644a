from contextlib import suppress
from dataclasses import dataclass

from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.entities import User
from bai.domain.errors import AccountDisabled, IdentifierTaken
from bai.domain.values import LoginCode, WeChatIdentity
from bai.ports.clock import Clock
from bai.ports.id_generator import IdGenerator
from bai.ports.token_issuer import TokenIssuer
from bai.ports.user_repository import UserRepository

REGISTRATION_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class LoginCommand:
    code: LoginCode


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    token: str
    registered: bool


class LoginOrRegister:
    """Sign a WeChat user in, registering them the first time WeChat vouches for them.

    - The login code is exchanged with WeChat once, however many requests carry it
      (`LoginCodeExchange`); a refused code is `LoginCodeRejected`.
    - The openid finds the user; an unknown openid creates one, atomically, so concurrent first
      logins with one openid make one user and all of them succeed.
    - A new user is a `WeChat` user, `active`, with a fresh user number and invite code; should a
      drawn identifier be taken already, new ones are drawn (a few times at most).
    - A disabled user gets `AccountDisabled` and no token.
    """

    def __init__(
        self,
        *,
        codes: LoginCodeExchange,
        users: UserRepository,
        tokens: TokenIssuer,
        ids: IdGenerator,
        clock: Clock,
    ) -> None:
        self._codes = codes
        self._users = users
        self._tokens = tokens
        self._ids = ids
        self._clock = clock

    async def execute(self, command: LoginCommand) -> LoginResult:
        identity = await self._codes.identity(command.code)
        user = await self._users.get_by_openid(identity.openid)
        registered = False
        if user is None:
            user, registered = await self._register(identity)
        if user.is_disabled:
            raise AccountDisabled
        return LoginResult(user=user, token=self._tokens.issue(user), registered=registered)

    async def _register(self, identity: WeChatIdentity) -> tuple[User, bool]:
        for _ in range(REGISTRATION_ATTEMPTS - 1):
            with suppress(IdentifierTaken):
                return await self._users.add_if_absent(self._newcomer(identity))
        return await self._users.add_if_absent(self._newcomer(identity))

    def _newcomer(self, identity: WeChatIdentity) -> User:
        return User.register(identity, keys=self._ids.new_user_keys(), now=self._clock.now())
