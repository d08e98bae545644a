"""A user's identities, one per mini-program, and the conflicts an operator settles.

WeChat names a person by an `openid` per app and, when the apps are bound to one Open Platform
account, by one `unionid` in all of them. A user holds at most one identity per app; the
primary app's openid is also the user's own `openid` (what `tbl_auth_users.openid` always
meant)."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True, kw_only=True)
class Identity:
    """`(appid, openid)` of the user `pb_id`, with the unionid WeChat last gave with it."""

    appid: str
    openid: str
    pb_id: str
    unionid: str = ""
    created: datetime


class ConflictKind(StrEnum):
    UNIONID_TAKEN = "unionid_taken"  # the identity's user has none; another user holds it
    UNIONID_CHANGED = "unionid_changed"  # the identity's user holds another one


class ConflictState(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"  # an operator looked and left both users as they are
    RESOLVED = "resolved"  # an operator moved the identity (link or unlink)


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityConflict:
    """WeChat gave identity `(appid, openid)` of user `pb_id` the unionid `unionid`, which
    `other_pb_id` holds (or "" when nobody does) or which differs from the user's own. Nobody
    is merged: the person signs in to `pb_id`, and an operator decides."""

    kind: ConflictKind
    appid: str
    openid: str
    unionid: str
    pb_id: str
    other_pb_id: str
    created: datetime
    state: ConflictState = ConflictState.OPEN

    @property
    def id(self) -> str:
        """The same situation is one conflict however often it is met (15 characters, like a
        record id), so a person signing in daily does not fill the queue."""
        key = "\n".join((self.kind, self.appid, self.openid, self.unionid, self.pb_id))
        return hashlib.sha256(key.encode()).hexdigest()[:15]
