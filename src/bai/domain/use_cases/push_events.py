"""What BAI does when WeChat says a person withdrew what they authorised, cancelled, or had their
profile cleaned (SPEC "WeChat's push events"), and the record of every event received. WeChat's
pushes and an operator's `bai wechat revoke` (its daily e-mail) go through the same use case."""

import asyncio
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bai.domain.apps import Apps
from bai.domain.errors import IdentityTaken, StorageUnavailable
from bai.domain.identities import Identity
from bai.domain.push_events import (
    PushEvent,
    PushEventRecord,
    PushEventType,
    PushOutcome,
    WithdrawnField,
    openid_hash,
)
from bai.ports.clock import Clock
from bai.ports.identity_store import IdentityStore
from bai.ports.push_event_store import PushEventStore
from bai.ports.session_store import SessionStore
from bai.ports.user_repository import UserRepository

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PROFILE_FIELDS = frozenset({WithdrawnField.NAME, WithdrawnField.PICTURE})


@dataclass(frozen=True, slots=True)
class _Plan:
    outcome: PushOutcome
    pb_id: str = ""
    fields: frozenset[WithdrawnField] = frozenset()
    adopt: bool = False  # the user has the primary openid but no identity yet


class ApplyPushEvent:
    """One event, applied and recorded before WeChat is answered.

    - `user_authorization_revoke`: the fields its `RevokeInfo` codes name are cleared (8 the
      phone, 6 name and picture, 19 the name, 20 the picture); other codes name data BAI never
      kept. The user stays, whatever their status, and may complete the profile again.
    - `user_authorization_cancellation`: the identity `(app, openid)` is removed and the
      sessions begun in that app end; a user left with no identity is deleted (with their
      sessions: users-count goes down).
    - `user_info_modified`: name and picture are cleared.
    - An openid BAI does not know, or another event: recorded, nothing else.
    - A delivery of an event recorded already (WeChat retries; told apart by app, `Event`,
      openid, `CreateTime` and `RevokeInfo`) changes nothing and is not recorded again. Each
      effect is idempotent, so concurrent deliveries of one event change what one would.
    - The record keeps the openid only as a hash keyed by the app's own key (`record_keys`,
      by app id: a secret every host shares).
    """

    def __init__(
        self,
        *,
        events: PushEventStore,
        users: UserRepository,
        identities: IdentityStore,
        sessions: SessionStore,
        apps: Apps,
        clock: Clock,
        record_keys: Mapping[str, bytes],
    ) -> None:
        self._events = events
        self._users = users
        self._identities = identities
        self._sessions = sessions
        self._apps = apps
        self._clock = clock
        self._record_keys = record_keys

    async def execute(self, event: PushEvent) -> PushEventRecord:
        secret = self._record_keys.get(event.appid, b"")
        key, now = event.key(secret), self._clock.now()
        record = PushEventRecord(
            id=key,
            appid=event.appid,
            event=event.event,
            sent=_sent(event.create_time),
            received=now,
            outcome=PushOutcome.REPEATED,
            revoke_info=event.revoke_info,
            openid_hash=openid_hash(secret, event.appid, event.openid),
        )
        if await self._events.seen(key):
            return record
        plan = await self._plan(event)
        record = replace(
            record, outcome=plan.outcome, pb_id=plan.pb_id, fields=",".join(sorted(plan.fields))
        )
        if not await self._events.add(record):  # another delivery holds it, and applies it
            return replace(record, outcome=PushOutcome.REPEATED)
        try:
            await self._carry_out(event, plan, now)
        except BaseException:
            with suppress(StorageUnavailable):  # not applied: WeChat's retry applies it
                await asyncio.shield(self._events.forget(key))
            raise
        return record

    async def _plan(self, event: PushEvent) -> _Plan:
        """What the event will do, read before anything is written (the record claims the
        event first, so that of concurrent deliveries one applies it)."""
        appid, openid = event.appid, event.openid
        found = await self._identities.find(appid, openid) if openid else None
        primary = self._apps.is_primary(appid)
        user = found[1] if found is not None else None
        if user is None and openid and primary:
            user = await self._users.get_by_openid(openid)  # no identity yet: PocketBase's
        if user is None:
            return _Plan(PushOutcome.UNKNOWN_OPENID)
        pb_id, adopt = user.pb_id, found is None
        if event.event == PushEventType.REVOKE:
            fields = event.revoked()
            return _Plan(PushOutcome.CLEARED if fields else PushOutcome.NOTHING_KEPT, pb_id, fields)
        if event.event == PushEventType.INFO_MODIFIED:
            return _Plan(PushOutcome.CLEARED, pb_id, PROFILE_FIELDS)
        if event.event != PushEventType.CANCELLATION:
            return _Plan(PushOutcome.IGNORED, pb_id)
        others = [
            identity
            for identity in await self._identities.identities_of(pb_id)
            if (identity.appid, identity.openid) != (appid, openid)
        ]
        keeps_openid = bool(user.openid) and not (primary and user.openid == openid)
        left = others or keeps_openid
        outcome = PushOutcome.IDENTITY_REMOVED if left else PushOutcome.USER_DELETED
        return _Plan(outcome, pb_id, adopt=adopt)

    async def _carry_out(self, event: PushEvent, plan: _Plan, now: datetime) -> None:
        if plan.outcome is PushOutcome.CLEARED:
            await self._users.withdraw(plan.pb_id, plan.fields, updated=now)
        elif plan.outcome in {PushOutcome.IDENTITY_REMOVED, PushOutcome.USER_DELETED}:
            await self._cancel(event, plan, now)

    async def _cancel(self, event: PushEvent, plan: _Plan, now: datetime) -> None:
        """The identity removed (a user of PocketBase's side is given it first, so that their
        openid goes with it), its app's sessions ended, and a user left with no identity
        deleted (as read again: a sign-in may have linked one meanwhile)."""
        appid, openid, pb_id = event.appid, event.openid, plan.pb_id
        primary = self._apps.is_primary(appid)
        if plan.adopt:
            identity = Identity(appid=appid, openid=openid, pb_id=pb_id, created=now)
            with suppress(IdentityTaken):  # adopted meanwhile: as is
                await self._identities.link(identity, primary=primary)
        await self._identities.unlink(appid, openid, primary=primary)
        await self._end_sessions_of(pb_id, appid)
        user = await self._users.get(pb_id)
        if user is not None and not user.openid and not await self._identities.identities_of(pb_id):
            await self._users.delete(pb_id)

    async def _end_sessions_of(self, pb_id: str, appid: str) -> None:
        """End the user's open sessions begun in `appid` (those past their lifetime too)."""
        at = self._clock.now()
        for session in await self._sessions.open_of(pb_id, began_after=EPOCH):
            if session.app == appid:
                await self._sessions.end(pb_id, session.id, at=at)


def _sent(create_time: int) -> datetime:
    """WeChat's `CreateTime` as a time; one out of any calendar's range reads as the epoch."""
    try:
        return EPOCH + timedelta(seconds=create_time)
    except OverflowError:
        return EPOCH


class ForgetPushEvents:
    """The record of push events keeps each for `retention` (`BAI_PUSH_EVENT_RETENTION`), then
    a periodic sweep removes it; how many were removed."""

    def __init__(self, *, events: PushEventStore, clock: Clock, retention: timedelta) -> None:
        self._events, self._clock, self._retention = events, clock, retention

    async def execute(self) -> int:
        return await self._events.sweep(received_before=self._clock.now() - self._retention)


class ListPushEvents:
    """The record of push events, newest first, a page at a time (`bai wechat events`, and
    the console's page)."""

    def __init__(self, *, events: PushEventStore) -> None:
        self._events = events

    async def execute(
        self, *, limit: int, pb_id: str = "", before: tuple[datetime, str] | None = None
    ) -> list[PushEventRecord]:
        return await self._events.recent(limit=limit, pb_id=pb_id, before=before)
