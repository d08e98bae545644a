"""WeChat's push events about a person (SPEC "WeChat's push events"), what BAI deletes for each,
and the record kept of every one received."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final


class PushEventType(StrEnum):
    """The events BAI acts on; any other `Event` is recorded only."""

    REVOKE = "user_authorization_revoke"
    CANCELLATION = "user_authorization_cancellation"
    INFO_MODIFIED = "user_info_modified"


class WithdrawnField(StrEnum):
    """The user's fields a person can withdraw (`UserRepository.withdraw` clears them)."""

    PHONE = "users_phone"
    NAME = "users_name"
    PICTURE = "users_picture"


# `RevokeInfo` codes and the fields BAI keeps for each; other codes are data BAI never kept.
REVOKED_FIELDS: Final[dict[str, frozenset[WithdrawnField]]] = {
    "8": frozenset({WithdrawnField.PHONE}),
    "6": frozenset({WithdrawnField.NAME, WithdrawnField.PICTURE}),
    "19": frozenset({WithdrawnField.NAME}),
    "20": frozenset({WithdrawnField.PICTURE}),
}


class PushOutcome(StrEnum):
    """What was done for an event (what the record says; also a metric label)."""

    CLEARED = "cleared"  # fields withdrawn from the user
    NOTHING_KEPT = "nothing_kept"  # a revocation of data BAI does not keep
    IDENTITY_REMOVED = "identity_removed"  # cancelled; the user keeps other identities
    USER_DELETED = "user_deleted"  # cancelled; the user had no other identity
    UNKNOWN_OPENID = "unknown_openid"
    IGNORED = "ignored"  # an event of another type
    REPEATED = "repeated"  # delivered before: nothing done again (not recorded twice)


@dataclass(frozen=True, slots=True)
class PushEvent:
    """One event as WeChat sent it (decrypted and checked): its app, `Event`, `OpenID`,
    `CreateTime` (Unix seconds) and `RevokeInfo` (codes separated by commas, maybe empty)."""

    appid: str
    event: str
    openid: str
    create_time: int
    revoke_info: str = ""

    def revoked(self) -> frozenset[WithdrawnField]:
        codes = {code.strip() for code in self.revoke_info.split(",")}
        return frozenset().union(*(REVOKED_FIELDS.get(code, frozenset()) for code in codes))

    def key(self, secret: bytes) -> str:
        """What tells deliveries of one event apart from others (SPEC: appid, Event, OpenID,
        CreateTime, RevokeInfo), keyed so that the record holds no openid in clear."""
        parts = (self.appid, self.event, self.openid, str(self.create_time), self.revoke_info)
        return _keyed(secret, "\n".join(parts))


def openid_hash(secret: bytes, appid: str, openid: str) -> str:
    """The openid as records keep it: a keyed hash, the same for the same person and app."""
    return _keyed(secret, f"{appid}\n{openid}")


def _keyed(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class PushEventRecord:
    """An event received, as kept: never the openid itself."""

    id: str  # `PushEvent.key`: 64 hex characters
    appid: str
    event: str
    sent: datetime  # WeChat's CreateTime
    received: datetime
    outcome: PushOutcome
    fields: str = ""  # the fields cleared, comma-separated, for `CLEARED`
    revoke_info: str = ""
    pb_id: str = ""  # the user concerned; "" when none was found
    openid_hash: str = ""
