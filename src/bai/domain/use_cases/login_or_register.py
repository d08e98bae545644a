from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.entities import User
from bai.domain.errors import AccountDisabled
from bai.domain.identity_matching import IdentityMatching
from bai.domain.values import LoginCode
from bai.ports.token_issuer import TokenIssuer


@dataclass(frozen=True, slots=True)
class LoginCommand:
    code: LoginCode
    app: str | None = None  # the app id the request names (its Referer); None: the primary


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    token: str
    registered: bool
    app: str
    openid: str  # the person's openid in `app` (the user's own is the primary app's)


class LoginOrRegister:
    """Sign a WeChat user in, registering them the first time WeChat vouches for them.

    - The app is the one the request names, else the primary; an app BAI does not serve is
      `UnknownApp`, before WeChat is asked.
    - The login code is exchanged with WeChat once per app and code, however many requests
      carry it (`LoginCodeExchange`); a refused code is `LoginCodeRejected`.
    - Who signs in is `IdentityMatching`'s: the app's identity, else the user holding the
      unionid, else a new user (atomically: concurrent first logins of one person make one
      user and all of them succeed).
    - A disabled user gets `AccountDisabled` and no token.
    """

    def __init__(
        self,
        *,
        apps: Apps,
        codes: LoginCodeExchange,
        matching: IdentityMatching,
        tokens: TokenIssuer,
    ) -> None:
        self._apps = apps
        self._codes = codes
        self._matching = matching
        self._tokens = tokens

    async def execute(self, command: LoginCommand) -> LoginResult:
        app = self._apps.resolve(command.app)
        identity = await self._codes.identity(command.code, app=app)
        signed_in = await self._matching.sign_in(app, identity, register=True)
        user = signed_in.user
        if user.is_disabled:
            raise AccountDisabled
        token = self._tokens.issue(user)
        return LoginResult(
            user=user,
            token=token,
            registered=signed_in.registered,
            app=app,
            openid=identity.openid,
        )
