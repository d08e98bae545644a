"""The console's session: a cookie BAI signs (HMAC-SHA256 with a key derived from the token
secret), naming the operator and the times that bound it, and the CSRF token of its forms.

A session lasts 12 hours without a request and 7 days at most (SPEC); it is refused at once
when its operator is removed or their password or role changes (the cookie carries the
operator's `updated`, which each of those moves). Nothing is stored server-side: signing out
clears the cookie, and the shortest of those bounds ends a copy of it."""

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

IDLE: Final = timedelta(hours=12)
ABSOLUTE: Final = timedelta(days=7)
MAX_COOKIE: Final = 1024


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    email: str  # the operator's sign-in name
    operator_updated: float  # the operator's `updated` when signed in (a Unix time)
    began: float
    seen: float


class ConsoleCookies:
    """`secret` is read at the first use (beside PocketBase the token secret is PocketBase's,
    read from it when first needed)."""

    def __init__(self, secret: bytes | Callable[[], bytes]) -> None:
        self._secret = secret
        self._derived = b""

    @property
    def _key(self) -> bytes:
        if not self._derived:
            secret = self._secret() if callable(self._secret) else self._secret
            self._derived = hashlib.sha256(b"bai console session\n" + secret).digest()
        return self._derived

    def issue(self, session: ConsoleSession) -> str:
        body = json.dumps(
            [session.email, session.operator_updated, session.began, session.seen],
            separators=(",", ":"),
        ).encode()
        encoded = base64.urlsafe_b64encode(body).rstrip(b"=")
        return (encoded + b"." + self._mac(encoded)).decode()

    def read(self, value: str | None, *, now: datetime) -> ConsoleSession | None:
        """The session the cookie names while it holds; None for anything else."""
        if not value or len(value) > MAX_COOKIE or not value.isascii():
            return None
        encoded, _, mac = value.encode().partition(b".")
        if not hmac.compare_digest(mac, self._mac(encoded)):
            return None
        try:
            fields = json.loads(base64.urlsafe_b64decode(encoded + b"=" * (-len(encoded) % 4)))
            session = ConsoleSession(str(fields[0]), *(float(field) for field in fields[1:4]))
        except (ValueError, TypeError, IndexError, KeyError):
            return None
        moment = now.timestamp()
        if moment - session.seen > IDLE.total_seconds():
            return None
        if moment - session.began > ABSOLUTE.total_seconds():
            return None
        return session

    def csrf(self, cookie: str) -> str:
        """The token the sign-in form carries, bound to that form's own cookie."""
        return self._mac(b"csrf\n" + cookie.encode()).decode()

    def session_csrf(self, session: ConsoleSession) -> str:
        """The token every form of a session carries: the same while the session lasts (its
        cookie is renewed as the operator goes on; a page opened before still posts)."""
        return self._mac(f"session csrf\n{session.email}\n{session.began!r}".encode()).decode()

    @staticmethod
    def token_holds(expected: str, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest((token or "").encode(), expected.encode())

    def _mac(self, data: bytes) -> bytes:
        digest = hmac.new(self._key, data, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=")
