from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.authentication import Authenticator
from bai.domain.code_exchange import LoginCodeExchange, Vouched
from bai.domain.entities import User
from bai.domain.errors import AccountDisabled
from bai.domain.identity_matching import UNREAD, Found, IdentityMatching, Registrar, Unread
from bai.domain.session_keeping import NewSession, SessionKeeping
from bai.domain.values import LoginCode


@dataclass(frozen=True, slots=True)
class LoginCommand:
    code: LoginCode
    app: str | None = None  # the app id the request names (its Referer); None: the primary
    user_agent: str | None = None
    token: str | None = None  # a bearer the request carries


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
    - The sign-in begins a session (`SessionKeeping`); a valid bearer of the same user that
      the request carries ends its own session (it is being replaced: ASVS 7.2.4). Without a
      bearer, the session is begun in the step that finds the user (a known identity) or makes
      them (a registration): `NewSession`; on PostgreSQL one statement each.
    """

    def __init__(
        self,
        *,
        apps: Apps,
        codes: LoginCodeExchange,
        matching: IdentityMatching,
        authenticator: Authenticator,
        keeping: SessionKeeping,
        answer_with_sign_in: bool = False,
    ) -> None:
        """`answer_with_sign_in`: the login code ledger is the storage's own, so WeChat's
        answer is recorded by the statement that reads the identity and begins the session
        (`SessionStore.start_for_identity`): on PostgreSQL a login is two statements."""
        self._answer_with_sign_in = answer_with_sign_in
        self._apps = apps
        self._codes = codes
        self._matching = matching
        self._authenticator = authenticator
        self._keeping = keeping

    async def execute(self, command: LoginCommand) -> LoginResult:
        app = self._apps.resolve(command.app)
        one_step = not command.token  # the common sign-in: the user and the session in one step
        vouched = await self._codes.vouch(
            command.code, app=app, defer=one_step and self._answer_with_sign_in
        )
        identity = vouched.identity
        new = self._keeping.new_session(app=app, user_agent=command.user_agent)
        read: Found | Unread = UNREAD
        registrar: Registrar | None = None
        if one_step:
            read, registrar = await self._first_step(new, identity.openid, vouched), new.register
        signed_in = await self._matching.sign_in(
            app, identity, register=True, read=read, registrar=registrar
        )
        user = signed_in.user
        if user.is_disabled:
            raise AccountDisabled
        if command.token:
            replaced = await self._authenticator.bearer(command.token)
            if replaced is not None and replaced.user.pb_id == user.pb_id:
                await self._keeping.end(replaced)
        token = new.token(user) or await self._keeping.begin(
            user, app=app, user_agent=command.user_agent
        )
        return LoginResult(
            user=user,
            token=token,
            registered=signed_in.registered,
            app=app,
            openid=identity.openid,
        )

    async def _first_step(self, new: NewSession, openid: str, vouched: Vouched) -> Found:
        settlement = vouched.settlement
        try:
            return await new.for_identity(openid, settling=settlement)
        except BaseException:
            if settlement is not None:  # WeChat's answer is kept even when the step failed
                await self._codes.record(settlement)
            raise
