"""A session: one sign-in on one device, from a WeChat code, renewed by refresh-token, until
it is ended (sign-out, the user disabled, revoked or deleted, too many sessions) or outlives
its absolute lifetime. Tokens carry its id as their `sid` claim."""

from dataclasses import dataclass
from datetime import datetime, timedelta

USER_AGENT_KEPT = 200  # characters of `User-Agent` a session keeps (never the IP address)
# How fine `renewed` is kept: a renewal within this time of the last one that was written
# writes nothing (a client refreshing often costs no write per refresh).
RENEWAL_GRAIN = timedelta(minutes=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionPolicy:
    """`BAI_SESSION_MAX_AGE`, `BAI_SESSION_LIMIT`, `BAI_SESSION_RETENTION`."""

    max_age: timedelta = timedelta(days=30)
    limit: int = 10  # open sessions per user: a new one ends the oldest
    retention: timedelta = timedelta(days=30)  # how long an ended session is kept


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    id: str  # 15 characters of a-z0-9, like a record id
    pb_id: str
    app: str
    created: datetime
    renewed: datetime
    user_agent: str = ""
    ended: datetime | None = None

    @staticmethod
    def kept_user_agent(header: str | None) -> str:
        """The part of a `User-Agent` a session keeps: printable, the first 200 characters."""
        text = header or ""
        if not text.isprintable():
            text = "".join(char for char in text if char.isprintable())
        return text[:USER_AGENT_KEPT]

    def expires(self, policy: SessionPolicy) -> datetime:
        """When the session ends by its absolute lifetime: no token outlives this."""
        return self.created + policy.max_age

    def renewal_is_due(self, now: datetime) -> bool:
        """Whether a renewal at `now` is written (`renewed` is kept to `RENEWAL_GRAIN`)."""
        return now - self.renewed >= RENEWAL_GRAIN

    def is_open(self, now: datetime, policy: SessionPolicy) -> bool:
        return self.ended is None and now < self.expires(policy)
