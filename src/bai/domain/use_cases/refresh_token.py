from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.authentication import Authenticator
from bai.domain.code_exchange import LoginCodeExchange
from bai.domain.entities import User
from bai.domain.errors import AccountDisabled, InvalidToken, LoginCodeRejected, RefreshCodeRejected
from bai.domain.identity_matching import IdentityMatching
from bai.domain.values import LoginCode
from bai.ports.token_issuer import TokenIssuer


@dataclass(frozen=True, slots=True)
class RefreshCommand:
    token: str | None
    code: LoginCode | None
    app: str | None = None  # the app id the request names (its Referer); None: the primary


@dataclass(frozen=True, slots=True)
class RefreshResult:
    user: User
    token: str


class RefreshToken:
    """Issue a new token, from a valid one or from a fresh WeChat login code.

    - A valid token of an active user is renewed for that user; WeChat is not asked.
    - A valid token that is not refreshable (PocketBase's impersonation tokens) is never
      extended: it comes back unchanged, as from PocketBase's `auth-refresh`, unless a login
      code re-identifies the user.
    - Otherwise the login code re-identifies the user through WeChat, in the app the request
      names (`UnknownApp` for one BAI does not serve): a refused code is `RefreshCodeRejected`;
      the identity is matched as at login (`IdentityMatching`), but refresh never registers:
      nobody matching is `UserNotFound`.
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
        tokens: TokenIssuer,
    ) -> None:
        self._apps = apps
        self._authenticator = authenticator
        self._codes = codes
        self._matching = matching
        self._tokens = tokens

    async def execute(self, command: RefreshCommand) -> RefreshResult:
        token = command.token or ""
        holder = await self._authenticator.holder(token)
        if holder is not None and not holder.is_disabled:
            if self._tokens.is_refreshable(token):
                return RefreshResult(user=holder, token=self._tokens.issue(holder))
            if command.code is None:
                return RefreshResult(user=holder, token=token)
        if command.code is not None:
            user = await self._user_by_code(command.code, self._apps.resolve(command.app))
            return RefreshResult(user=user, token=self._tokens.issue(user))
        raise AccountDisabled if holder is not None else InvalidToken

    async def _user_by_code(self, code: LoginCode, app: str) -> User:
        try:
            identity = await self._codes.identity(code, app=app)
        except LoginCodeRejected as exc:
            raise RefreshCodeRejected from exc
        user = (await self._matching.sign_in(app, identity, register=False)).user
        if user.is_disabled:
            raise AccountDisabled
        return user
