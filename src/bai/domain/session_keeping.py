"""Sessions begun, renewed and ended, and the tokens that name them: what sign-in, renewal and
sign-out share."""

from dataclasses import replace

from bai.domain.authentication import Bearer
from bai.domain.entities import User
from bai.domain.identities import Identity
from bai.domain.sessions import Session, SessionPolicy
from bai.ports.clock import Clock
from bai.ports.id_generator import IdGenerator
from bai.ports.login_code_ledger import Settlement
from bai.ports.session_store import SessionStore
from bai.ports.token_issuer import TokenIssuer


class NewSession:
    """One sign-in's session, begun by whichever step finds or makes its user, in the same
    step where the store can: reading a known identity (`for_identity`) or registering a new
    user (`register`, a `Registrar` for `IdentityMatching`). `token` then gives its token."""

    def __init__(self, keeping: "SessionKeeping", session: Session) -> None:
        self._keeping = keeping
        self._session = session
        self._kept_for: User | None = None

    async def for_identity(
        self, openid: str, *, settling: Settlement | None = None
    ) -> tuple[Identity, User] | None:
        """The identity `(app, openid)` and its user, the session begun for them when they
        are active; None when nobody holds it, and nothing begun. `settling`: WeChat's answer
        for the login code ledger, recorded in the same step."""
        found = await self._keeping.sessions.start_for_identity(
            self._session.app,
            openid,
            self._session,
            limit=self._keeping.policy.limit,
            settling=settling,
        )
        if found is not None and not found[1].is_disabled:
            self._kept_for = found[1]
        return found

    async def register(self, user: User, identity: Identity) -> User:
        registered = await self._keeping.sessions.register_with_session(
            user, identity, self._session, limit=self._keeping.policy.limit
        )
        self._kept_for = registered
        return registered

    def token(self, user: User) -> str | None:
        """The token of the session begun for `user`; None when none was begun for them."""
        if self._kept_for is None or self._kept_for.pb_id != user.pb_id:
            return None
        return self._keeping.token_of(user, replace(self._session, pb_id=user.pb_id))


class SessionKeeping:
    """- A sign-in begins a session (user, app, the first 200 characters of the client's
      `User-Agent`; never its address) and a token naming it; beyond `policy.limit` open
      sessions the user's oldest ends.
    - A renewal keeps the session and gives a new token, never one that outlives the
      session's absolute lifetime; it lands only while the user is still allowed it.
      `renewed` is kept to the minute (`RENEWAL_GRAIN`): a renewal within a minute of the last
      one written writes nothing, so refreshing costs a write at most once a minute.
    - Ending one session, or all of a user's, refuses every token that names them."""

    def __init__(
        self,
        *,
        sessions: SessionStore,
        tokens: TokenIssuer,
        ids: IdGenerator,
        policy: SessionPolicy,
        clock: Clock,
    ) -> None:
        self.sessions = sessions
        self._tokens = tokens
        self._ids = ids
        self.policy = policy
        self._clock = clock

    def _new(self, pb_id: str, *, app: str, user_agent: str | None) -> Session:
        now = self._clock.now()
        return Session(
            id=self._ids.new_record_id(),
            pb_id=pb_id,
            app=app,
            created=now,
            renewed=now,
            user_agent=Session.kept_user_agent(user_agent),
        )

    def token_of(self, user: User, session: Session) -> str:
        return self._tokens.issue(user, session=session.id, not_after=session.expires(self.policy))

    async def begin(self, user: User, *, app: str, user_agent: str | None) -> str:
        session = self._new(user.pb_id, app=app, user_agent=user_agent)
        await self.sessions.start(session, limit=self.policy.limit)
        return self.token_of(user, session)

    def new_session(self, *, app: str, user_agent: str | None) -> NewSession:
        """A session for a sign-in whose user is not known yet (`NewSession`)."""
        return NewSession(self, self._new("", app=app, user_agent=user_agent))

    async def renew(self, bearer: Bearer) -> str | None:
        """A new token of the bearer's session; None when the renewal did not land (the user
        was disabled, revoked or signed out meanwhile)."""
        session = bearer.session
        if session is None:
            return None
        now = self._clock.now()
        if session.renewal_is_due(now) and not await self.sessions.renew(
            session.id, bearer.user, at=now
        ):
            return None
        expires = session.expires(self.policy)
        return self._tokens.issue(bearer.user, session=session.id, not_after=expires)

    async def end(self, bearer: Bearer) -> bool:
        if bearer.session is None:
            return False
        return await self.sessions.end(bearer.user.pb_id, bearer.session.id, at=self._clock.now())

    async def end_all(self, pb_id: str) -> int:
        return await self.sessions.end_all(pb_id, at=self._clock.now())

    async def open_of(self, pb_id: str) -> list[Session]:
        began_after = self._clock.now() - self.policy.max_age
        return await self.sessions.open_of(pb_id, began_after=began_after)

    async def sweep(self) -> int:
        """Remove sessions ended longer ago than the retention, and those past their lifetime
        for as long."""
        now, policy = self._clock.now(), self.policy
        return await self.sessions.sweep(
            ended_before=now - policy.retention,
            began_before=now - policy.max_age - policy.retention,
        )
