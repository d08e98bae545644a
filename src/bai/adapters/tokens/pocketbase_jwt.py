import base64
import binascii
import json
from typing import Any

import jwt

from bai.domain.entities import User
from bai.ports.clock import Clock
from bai.ports.token_issuer import TokenIssuer

ALGORITHM = "HS256"
DEFAULT_COLLECTION_ID = "pbc_421601843"
MIN_SECRET_BYTES = 32


def _segment(encoded: str) -> dict[str, Any] | None:
    """A JWT segment's JSON object, read without trusting it; None when it is not one."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return None

    return decoded if isinstance(decoded, dict) else None


class PocketBaseTokenIssuer(TokenIssuer):
    """HS256 tokens exactly as a PocketBase (v0.23+) auth collection issues them.

    Claims, in PocketBase's sorted order: `collectionId`, `exp`, `id`, `refreshable`, `type`.
    The signing key is the user's `token_key` joined to the collection secret. Verification
    pins the algorithm, requires `exp` (PocketBase does not) and checks type and collection.
    """

    def __init__(self, *, secret: str, collection_id: str, ttl_seconds: int, clock: Clock) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError("the token secret must be at least 32 bytes")
        self._secret = secret
        self._collection_id = collection_id
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, user: User) -> str:
        claims = {
            "collectionId": self._collection_id,
            "exp": int(self._clock.now().timestamp()) + self._ttl,
            "id": user.pb_id,
            "refreshable": True,
            "type": "auth",
        }
        return jwt.encode(claims, self._key(user), algorithm=ALGORITHM)

    def claimed_user_id(self, token: str) -> str | None:
        parts = token.split(".")
        if len(parts) != 3:  # noqa: PLR2004
            return None
        header, claims = _segment(parts[0]), _segment(parts[1])
        if header is None or claims is None or header.get("alg") != ALGORITHM:
            return None
        user_id = claims.get("id")
        return user_id if self._claims_fit(claims) and isinstance(user_id, str) else None

    def is_valid(self, token: str, user: User) -> bool:
        try:
            claims = jwt.decode(
                token,
                self._key(user),
                algorithms=[ALGORITHM],
                options={"require": ["exp", "id", "type", "collectionId"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            return False
        return (
            self._claims_fit(claims)
            and claims["id"] == user.pb_id
            and claims["exp"] > self._clock.now().timestamp()
        )

    def _claims_fit(self, claims: dict[str, Any]) -> bool:
        return (
            claims.get("type") == "auth"
            and claims.get("collectionId") == self._collection_id
            and isinstance(claims.get("exp"), int)
            and not isinstance(claims.get("exp"), bool)
        )

    def _key(self, user: User) -> str:
        return user.token_key + self._secret
