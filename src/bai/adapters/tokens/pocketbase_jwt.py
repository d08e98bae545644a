from datetime import datetime

import msgspec

from bai.adapters.tokens import compact_hs256
from bai.domain.entities import User
from bai.ports.clock import Clock
from bai.ports.token_issuer import TokenIssuer

DEFAULT_COLLECTION_ID = "pbc_421601843"
# A collection secret BAI is given (BAI_TOKEN_SECRET, ..._FILE, one it imports): the SPEC's rule.
MIN_SECRET_BYTES = 32
# The shortest secret a PocketBase keeps (its `TokenConfig` takes 30 to 255 characters): beside
# a live PocketBase, BAI signs with the collection's own secret, whatever PocketBase accepted.
POCKETBASE_MIN_SECRET_BYTES = 30


def secret_is_long_enough(secret: str, minimum: int = MIN_SECRET_BYTES) -> bool:
    return len(secret.encode()) >= minimum


class Claims(msgspec.Struct, kw_only=True, omit_defaults=True):
    """PocketBase's auth claims and BAI's `sid`, in sorted order, as PocketBase writes them.
    Decoding is strict: `exp` must be a JSON integer (not a bool, float or string) and the four
    required claims must be there. A token without `refreshable` is not refreshable, as at
    PocketBase; one without `sid` (PocketBase's own, or from before sessions) has none."""

    collectionId: str  # noqa: N815 (PocketBase's claim name)
    exp: int
    id: str
    refreshable: bool = False
    sid: str = ""
    type: str


_encode_claims = msgspec.json.Encoder().encode
_CLAIMS_DECODER = msgspec.json.Decoder(Claims)


RECENT_TOKENS = 256  # tokens whose decoding is kept (a request asks up to three things of one)


class PocketBaseTokenIssuer(TokenIssuer):
    """HS256 tokens exactly as a PocketBase (v0.23+) auth collection issues them.

    Claims, in PocketBase's sorted order: `collectionId`, `exp`, `id`, `refreshable`, `sid`
    (the session), `type`.
    The signing key is the user's `token_key` joined to the collection secret. Verification
    pins the algorithm, requires `exp` (PocketBase does not) and checks type and collection.
    The compact form is `compact_hs256`'s; the claims are a typed msgspec struct.
    """

    def __init__(self, *, secret: str, collection_id: str, ttl_seconds: int, clock: Clock) -> None:
        self._secret = ""
        self.rekey(secret)
        self._collection_id = collection_id
        self._ttl = ttl_seconds
        self._clock = clock
        self._recent: dict[str, tuple[list[bytes] | None, Claims | None]] = {}

    def rekey(self, secret: str) -> None:
        """Sign and verify with `secret` from now on (the collection's secret was rotated:
        every token signed with the old one is refused)."""
        if not secret_is_long_enough(secret, POCKETBASE_MIN_SECRET_BYTES):
            raise ValueError(
                f"the token secret must be at least {POCKETBASE_MIN_SECRET_BYTES} bytes"
            )
        self._secret = secret

    def issue(self, user: User, *, session: str = "", not_after: datetime | None = None) -> str:
        """A token of `session` (none: a token as PocketBase itself issues, for tools and
        tests; BAI's use cases always name one)."""
        exp = int(self._clock.now().timestamp()) + self._ttl
        if not_after is not None:
            exp = min(exp, int(not_after.timestamp()))
        claims = Claims(
            collectionId=self._collection_id,
            exp=exp,
            id=user.pb_id,
            refreshable=True,
            sid=session,
            type="auth",
        )
        return compact_hs256.sign(_encode_claims(claims), self._key(user))

    def claimed(self, token: str) -> tuple[str, str] | None:
        _, claims = self._read(token)
        return (claims.id, claims.sid) if claims is not None else None

    def is_valid(self, token: str, user: User) -> bool:
        parts, claims = self._read(token)
        if parts is None or claims is None or claims.id != user.pb_id:
            return False
        return (
            compact_hs256.verify(parts, self._key(user))
            and claims.exp > self._clock.now().timestamp()
        )

    def is_refreshable(self, token: str) -> bool:
        _, claims = self._read(token)
        return claims is not None and claims.refreshable

    def _read(self, token: str) -> tuple[list[bytes] | None, Claims | None]:
        """The token's parts and unverified claims, decoded once for the few questions a
        request asks of one token (who, is it valid, may it be refreshed): the last tokens read
        are kept, keyed by the whole token, so a changed byte is another token. Nothing kept is
        trusted: `is_valid` checks the signature every time."""
        found = self._recent.get(token)
        if found is None:
            parts = compact_hs256.parts(token)
            found = (parts, self._unverified_claims(parts) if parts else None)
            if len(self._recent) >= RECENT_TOKENS:
                self._recent.clear()
            self._recent[token] = found
        return found

    def _unverified_claims(self, parts: list[bytes]) -> Claims | None:
        """The claims of a well-formed HS256 PocketBase auth token of this collection, or None.
        Nothing here is trusted until `is_valid` has checked the signature."""
        if not compact_hs256.is_hs256(parts[0]):
            return None
        claims = compact_hs256.read(parts[1], _CLAIMS_DECODER)
        if claims is None or claims.type != "auth" or claims.collectionId != self._collection_id:
            return None
        return claims

    def _key(self, user: User) -> bytes:
        return (user.token_key + self._secret).encode()
