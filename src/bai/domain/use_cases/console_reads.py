"""What the operator console shows that no command prints: the overview's figures and a user's
whole record. Each figure is read from the stores, not from the metrics (SPEC "The operator
console"): a count a worker restart would reset has no place on an operator's page."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bai.domain.entities import User
from bai.domain.errors import UserNotFound
from bai.domain.identities import ConflictState, Identity
from bai.domain.push_events import PushEventRecord
from bai.domain.sessions import Session, SessionPolicy
from bai.ports.clock import Clock
from bai.ports.identity_store import IdentityStore
from bai.ports.push_event_store import PushEventStore
from bai.ports.session_store import SessionStore
from bai.ports.user_repository import UserRepository

CHART_DAYS = 30
CONFLICTS_COUNTED = 500  # beyond it the overview says "500+": the conflicts page pages them
LAST_EVENTS = 10
RECENT = 20  # sign-ins and events on a user's page


@dataclass(frozen=True, slots=True)
class Overview:
    users: int
    registrations: tuple[tuple[date, int], ...]  # the last 30 UTC days, oldest first, today last
    sign_ins_today: int  # sessions begun since 00:00 UTC, ended or not
    open_conflicts: int
    more_conflicts: bool  # more than `open_conflicts` are open
    events: tuple[PushEventRecord, ...]  # the last push events, newest first


class ShowOverview:
    """The overview's figures, each from its store.

    - Registrations are counted per UTC day for the 30 days ending today, every day named
      (a day nobody registered counts 0).
    - Sign-ins are the sessions begun today (UTC), whether ended since or not.
    - Open conflicts are counted up to 500; `more_conflicts` says when there are more.
    """

    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SessionStore,
        identities: IdentityStore,
        events: PushEventStore,
        clock: Clock,
    ) -> None:
        self._users, self._sessions, self._identities = users, sessions, identities
        self._events, self._clock = events, clock

    async def execute(self) -> Overview:
        today = self._clock.now().astimezone(UTC).date()
        midnight = datetime.combine(today, time(), tzinfo=UTC)
        tomorrow = midnight + timedelta(days=1)
        first = today - timedelta(days=CHART_DAYS - 1)
        counted = dict(
            await self._users.registrations_per_day(
                since=datetime.combine(first, time(), tzinfo=UTC), until=tomorrow
            )
        )
        days = (first + timedelta(days=n) for n in range(CHART_DAYS))
        conflicts = await self._identities.conflicts(
            state=ConflictState.OPEN, limit=CONFLICTS_COUNTED + 1
        )
        return Overview(
            users=await self._users.count(),
            registrations=tuple((day, counted.get(day, 0)) for day in days),
            sign_ins_today=await self._sessions.begun_between(since=midnight, until=tomorrow),
            open_conflicts=min(len(conflicts), CONFLICTS_COUNTED),
            more_conflicts=len(conflicts) > CONFLICTS_COUNTED,
            events=tuple(await self._events.recent(limit=LAST_EVENTS)),
        )


@dataclass(frozen=True, slots=True)
class UserRecord:
    user: User
    identities: tuple[Identity, ...]  # one per app
    open_sessions: tuple[Session, ...]  # within their lifetime, newest first
    sign_ins: tuple[Session, ...]  # the last ones, ended or not, newest first
    events: tuple[PushEventRecord, ...]  # WeChat's push events about them, newest first


class ShowUserRecord:
    """A user's page: their profile, identities per app, open sessions, last sign-ins and the
    WeChat events about them; an unknown `pb_id` is `UserNotFound`."""

    def __init__(
        self,
        *,
        users: UserRepository,
        identities: IdentityStore,
        sessions: SessionStore,
        events: PushEventStore,
        policy: SessionPolicy,
        clock: Clock,
    ) -> None:
        self._users, self._identities, self._sessions = users, identities, sessions
        self._events, self._policy, self._clock = events, policy, clock

    async def execute(self, pb_id: str) -> UserRecord:
        user = await self._users.get(pb_id)
        if user is None:
            raise UserNotFound
        began_after = self._clock.now() - self._policy.max_age
        return UserRecord(
            user=user,
            identities=tuple(await self._identities.identities_of(pb_id)),
            open_sessions=tuple(await self._sessions.open_of(pb_id, began_after=began_after)),
            sign_ins=tuple(await self._sessions.recent_of(pb_id, limit=RECENT)),
            events=tuple(await self._events.recent(limit=RECENT, pb_id=pb_id)),
        )
