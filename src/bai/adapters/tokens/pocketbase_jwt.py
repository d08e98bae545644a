import base64
import binascii
from typing import TypeVar

import msgspec
from jwt.algorithms import HMACAlgorithm

from bai.domain.entities import User
from bai.ports.clock import Clock
from bai.ports.token_issuer import TokenIssuer

ALGORITHM = "HS256"
DEFAULT_COLLECTION_ID = "pbc_421601843"
MIN_SECRET_BYTES = 32  # what BAI asks of a secret it is given (BAI_TOKEN_SECRET, ..._FILE)
# What it signs with at the least: any secret PocketBase itself accepts (beside a PocketBase,
# the collection's own secret is used as PocketBase keeps it).
POCKETBASE_MIN_SECRET_BYTES = 30
SEGMENTS = 3
HS256 = HMACAlgorithm(HMACAlgorithm.SHA256)


def base64url_encode(data: bytes) -> bytes:
    """Base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def base64url_decode(segment: bytes) -> bytes:
    return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))


# The header PocketBase (golang-jwt) and PyJWT both write for HS256, already encoded.
HEADER = base64url_encode(b'{"alg":"HS256","typ":"JWT"}')


class Header(msgspec.Struct):
    alg: str


class Claims(msgspec.Struct, kw_only=True):
    """PocketBase's auth claims, in the order it writes them. Decoding is strict: `exp` must be
    a JSON integer (not a bool, float or string) and the four required claims must be there.
    A token without `refreshable` is not refreshable, as at PocketBase."""

    collectionId: str  # noqa: N815 (PocketBase's claim name)
    exp: int
    id: str
    refreshable: bool = False
    type: str


_encode_claims = msgspec.json.Encoder().encode
_HEADER_DECODER = msgspec.json.Decoder(Header)
_CLAIMS_DECODER = msgspec.json.Decoder(Claims)
T = TypeVar("T")


def _read(segment: bytes, decoder: "msgspec.json.Decoder[T]") -> T | None:
    try:
        return decoder.decode(base64url_decode(segment))
    except (msgspec.DecodeError, binascii.Error, ValueError):
        return None


def _parts(token: str) -> list[bytes] | None:
    """Header, payload and signature of a compact token, or None when it is not one."""
    parts = token.encode().split(b".") if token.isascii() else []
    return parts if len(parts) == SEGMENTS else None


class PocketBaseTokenIssuer(TokenIssuer):
    """HS256 tokens exactly as a PocketBase (v0.23+) auth collection issues them.

    Claims, in PocketBase's sorted order: `collectionId`, `exp`, `id`, `refreshable`, `type`.
    The signing key is the user's `token_key` joined to the collection secret. Verification
    pins the algorithm, requires `exp` (PocketBase does not) and checks type and collection.

    PyJWT's HS256 algorithm signs and verifies (constant-time comparison). The compact form
    around it is fixed, so it is written here, with the claims as a typed msgspec struct:
    PyJWT's general `encode`/`decode` cost a quarter of a refresh (docs/performance.md).
    """

    def __init__(self, *, secret: str, collection_id: str, ttl_seconds: int, clock: Clock) -> None:
        self._secret = ""
        self.rekey(secret)
        self._collection_id = collection_id
        self._ttl = ttl_seconds
        self._clock = clock

    def rekey(self, secret: str) -> None:
        """Sign and verify with `secret` from now on (the collection's secret was rotated:
        every token signed with the old one is refused)."""
        if len(secret.encode()) < POCKETBASE_MIN_SECRET_BYTES:
            raise ValueError(
                f"the token secret must be at least {POCKETBASE_MIN_SECRET_BYTES} bytes"
            )
        self._secret = secret

    def issue(self, user: User) -> str:
        claims = Claims(
            collectionId=self._collection_id,
            exp=int(self._clock.now().timestamp()) + self._ttl,
            id=user.pb_id,
            refreshable=True,
            type="auth",
        )
        signing_input = HEADER + b"." + base64url_encode(_encode_claims(claims))
        signature = base64url_encode(HS256.sign(signing_input, self._key(user)))
        return (signing_input + b"." + signature).decode()

    def claimed_user_id(self, token: str) -> str | None:
        parts = _parts(token)
        claims = self._unverified_claims(parts) if parts else None
        return claims.id if claims is not None else None

    def is_valid(self, token: str, user: User) -> bool:
        parts = _parts(token)
        claims = self._unverified_claims(parts) if parts else None
        if parts is None or claims is None or claims.id != user.pb_id:
            return False
        header, payload, signature = parts
        try:
            mac = base64url_decode(signature)
        except (binascii.Error, ValueError):
            return False
        # Only the canonical encoding of the signature counts (no padding, no stray characters).
        return (
            base64url_encode(mac) == signature
            and HS256.verify(header + b"." + payload, self._key(user), mac)
            and claims.exp > self._clock.now().timestamp()
        )

    def is_refreshable(self, token: str) -> bool:
        parts = _parts(token)
        claims = self._unverified_claims(parts) if parts else None
        return claims is not None and claims.refreshable

    def _unverified_claims(self, parts: list[bytes]) -> Claims | None:
        """The claims of a well-formed HS256 PocketBase auth token of this collection, or None.
        Nothing here is trusted until `is_valid` has checked the signature."""
        header, payload = parts[0], parts[1]
        if header != HEADER:
            decoded_header = _read(header, _HEADER_DECODER)
            if decoded_header is None or decoded_header.alg != ALGORITHM:
                return None
        claims = _read(payload, _CLAIMS_DECODER)
        if claims is None or claims.type != "auth" or claims.collectionId != self._collection_id:
            return None
        return claims

    def _key(self, user: User) -> bytes:
        return (user.token_key + self._secret).encode()
