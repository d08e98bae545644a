"""WeChat's daily e-mail of revocations, the backstop of its pushes (`bai wechat revoke`):
each line applied as a pushed `user_authorization_revoke` would be, after a dry run."""

from dataclasses import dataclass

from bai.domain.apps import Apps
from bai.domain.entities import User
from bai.domain.push_events import PushEvent, PushEventType
from bai.domain.use_cases.push_events import ApplyPushEvent
from bai.ports.clock import Clock
from bai.ports.identity_store import IdentityStore
from bai.ports.user_repository import UserRepository


@dataclass(frozen=True, slots=True)
class Revocation:
    """One line of WeChat's daily e-mail of revocations: an openid of the app, and the
    `RevokeInfo` codes withdrawn (all BAI keeps: the phone, name and picture, by default)."""

    openid: str
    codes: str = "8,6"


@dataclass(frozen=True, slots=True)
class RevocationSummary:
    users: int  # known users the list names
    unknown: int  # openids no user holds
    fields: dict[str, int]  # per field, how many users have it set (to be) cleared


class RevokeFromList:
    """WeChat's daily e-mail, the backstop of its pushes (`bai wechat revoke`): each line is a
    `user_authorization_revoke`, applied and recorded like a pushed one. Without `apply`, only
    counted: nothing is read but what is there, nothing written."""

    def __init__(
        self,
        *,
        apply: ApplyPushEvent,
        users: UserRepository,
        identities: IdentityStore,
        apps: Apps,
        clock: Clock,
    ) -> None:
        self._apply, self._users, self._identities = apply, users, identities
        self._apps, self._clock = apps, clock

    async def execute(
        self, appid: str, revocations: list[Revocation], *, apply: bool
    ) -> RevocationSummary:
        app = self._apps.resolve(appid)
        sent = int(self._clock.now().timestamp())
        users = unknown = 0
        fields: dict[str, int] = {}
        for revocation in revocations:
            event = PushEvent(app, PushEventType.REVOKE, revocation.openid, sent, revocation.codes)
            user = await self._holder(app, revocation.openid)
            if user is None:
                unknown += 1
            else:
                users += 1
                for name in sorted(event.revoked()):
                    if getattr(user, name):
                        fields[name] = fields.get(name, 0) + 1
            if apply:  # recorded as a push would be, an unknown openid too
                await self._apply.execute(event)
        return RevocationSummary(users=users, unknown=unknown, fields=fields)

    async def _holder(self, appid: str, openid: str) -> User | None:
        found = await self._identities.find(appid, openid) if openid else None
        if found is not None or not openid or not self._apps.is_primary(appid):
            return found[1] if found is not None else None
        return await self._users.get_by_openid(openid)
