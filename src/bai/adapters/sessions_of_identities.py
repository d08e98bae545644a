"""A sign-in as two calls, the identity read or registered, then the session kept: what the
session stores do where no single statement does both (memory, SQLAlchemy, PocketBase)."""

from dataclasses import replace

from bai.domain.entities import User, UserStatus
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.ports.identity_store import IdentityStore
from bai.ports.login_code_ledger import LoginCodeLedger, Settlement


class SignInInTwoSteps:
    """`SessionStore.start_for_identity` and `register_with_session` through the identity
    store (`_identities`) and the session store's own `start`; an answer to record goes to
    the backend's login code ledger (`_codes`) first."""

    _identities: IdentityStore
    _codes: LoginCodeLedger

    async def start(self, session: Session, *, limit: int) -> None:
        raise NotImplementedError

    async def start_for_identity(
        self,
        appid: str,
        openid: str,
        session: Session,
        *,
        limit: int,
        settling: Settlement | None = None,
    ) -> tuple[Identity, User] | None:
        if settling is not None:
            await self._codes.settle(
                settling.key, settling.answer, keep_seconds=settling.keep_seconds
            )
        found = await self._identities.find(appid, openid)
        if found is not None and found[1].users_status is UserStatus.ACTIVE:
            await self.start(replace(session, pb_id=found[1].pb_id), limit=limit)
        return found

    async def register_with_session(
        self, user: User, identity: Identity, session: Session, *, limit: int
    ) -> User:
        registered = await self._identities.register(user, identity)
        await self.start(replace(session, pb_id=registered.pb_id), limit=limit)
        return registered
