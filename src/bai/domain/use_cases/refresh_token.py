from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.authentication import Authenticator, Bearer
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.entities import User
from bai.domain.errors import AccountDisabled, InvalidToken, LoginCodeRejected, RefreshCodeRejected
from bai.domain.identity_matching import IdentityMatching
from bai.domain.session_keeping import SessionKeeping
from bai.domain.values import LoginCode
from bai.ports.token_issuer import TokenIssuer


@dataclass(frozen=True, slots=True)
class RefreshCommand:
    token: str | None
    code: LoginCode | None
    app: str | None = None  # the app id the request names (its Referer); None: the primary
    user_agent: str | None = None


@dataclass(frozen=True, slots=True)
class RefreshResult:
    user: User
    token: str


class RefreshToken:
    """Issue a new token, from a valid one or from a fresh WeChat login code.

    - A valid token of an active user is renewed for that user, in its session, never past
      the session's absolute lifetime (past it the token is no longer valid); WeChat is not
      asked. A token without a session (PocketBase's, or from before sessions) begins one. A
      renewal that lands after the user was disabled, revoked or signed out gives nothing.
    - A valid token that is not refreshable (PocketBase's impersonation tokens) is never
      extended: it comes back unchanged, as from PocketBase's `auth-refresh`, unless a login
      code re-identifies the user.
    - Otherwise the login code re-identifies the user through WeChat, in the app the request
      names (`UnknownApp` for one BAI does not serve): a refused code is `RefreshCodeRejected`;
      the identity is matched as at login (`IdentityMatching`), but refresh never registers:
      nobody matching is `UserNotFound`. A token from a code begins a new session.
    - With neither a valid token nor a code: `InvalidToken`.
    - A disabled user gets `AccountDisabled`, whichever way they came.
    """

    def __init__(
        self,
        *,
        apps: Apps,
        authenticator: Authenticator,
        codes: LoginCodeExchange,
        matching: IdentityMatching,
        keeping: SessionKeeping,
        tokens: TokenIssuer,
    ) -> None:
        self._apps = apps
        self._authenticator = authenticator
        self._codes = codes
        self._matching = matching
        self._keeping = keeping
        self._tokens = tokens

    async def execute(self, command: RefreshCommand) -> RefreshResult:
        token = command.token or ""
        bearer = await self._authenticator.bearer(token)
        if bearer is not None and not bearer.user.is_disabled:
            if self._tokens.is_refreshable(token):
                renewed = await self._renewed(bearer, command)
                if renewed is not None:
                    return RefreshResult(user=bearer.user, token=renewed)
            elif command.code is None:
                return RefreshResult(user=bearer.user, token=token)
        if command.code is not None:
            app = self._apps.resolve(command.app)
            user = await self._user_by_code(command.code, app)
            new = await self._keeping.begin(user, app=app, user_agent=command.user_agent)
            return RefreshResult(user=user, token=new)
        disabled = bearer is not None and bearer.user.is_disabled
        raise AccountDisabled if disabled else InvalidToken

    async def _renewed(self, bearer: Bearer, command: RefreshCommand) -> str | None:
        if bearer.session is None:  # a token without a session: its renewal begins one
            app = self._apps.resolve(command.app)
            return await self._keeping.begin(bearer.user, app=app, user_agent=command.user_agent)
        return await self._keeping.renew(bearer)

    async def _user_by_code(self, code: LoginCode, app: str) -> User:
        try:
            identity = await self._codes.identity(code, app=app)
        except LoginCodeRejected as exc:
            raise RefreshCodeRejected from exc
        user = (await self._matching.sign_in(app, identity, register=False)).user
        if user.is_disabled:
            raise AccountDisabled
        return user
