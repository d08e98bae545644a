"""HS256 compact tokens (RFC 7515) assembled by hand around PyJWT's HMAC algorithm, which
signs and verifies (constant-time comparison): the header is fixed, so only the payload and
the signature are encoded per token.

why: docs/performance.md#tokens-written-by-hand
"""

import base64
import binascii
from typing import TypeVar

import msgspec
from jwt.algorithms import HMACAlgorithm

ALGORITHM = "HS256"
SEGMENTS = 3
_HS256 = HMACAlgorithm(HMACAlgorithm.SHA256)
T = TypeVar("T")


def base64url_encode(data: bytes) -> bytes:
    """Base64url without padding (RFC 7515, section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def base64url_decode(segment: bytes) -> bytes:
    return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))


# The header PocketBase (golang-jwt) and PyJWT both write for HS256, already encoded.
HEADER = base64url_encode(b'{"alg":"HS256","typ":"JWT"}')


class _Header(msgspec.Struct):
    alg: str


_HEADER_DECODER = msgspec.json.Decoder(_Header)


def sign(payload: bytes, key: bytes) -> str:
    """The compact token of the JSON `payload`, signed with `key`."""
    signing_input = HEADER + b"." + base64url_encode(payload)
    signature = base64url_encode(_HS256.sign(signing_input, key))
    return (signing_input + b"." + signature).decode()


def parts(token: str) -> list[bytes] | None:
    """Header, payload and signature of a compact token, or None when it is not one."""
    segments = token.encode().split(b".") if token.isascii() else []
    return segments if len(segments) == SEGMENTS else None


def read(segment: bytes, decoder: "msgspec.json.Decoder[T]") -> T | None:
    """The base64url JSON `segment` decoded by `decoder`, or None when it is not that."""
    try:
        return decoder.decode(base64url_decode(segment))
    except (msgspec.DecodeError, binascii.Error, ValueError):
        return None


def is_hs256(header: bytes) -> bool:
    if header == HEADER:
        return True
    decoded = read(header, _HEADER_DECODER)
    return decoded is not None and decoded.alg == ALGORITHM


def verify(token_parts: list[bytes], key: bytes) -> bool:
    """Whether the signature of `token_parts` is `key`'s, in its canonical encoding only (no
    padding, no stray characters)."""
    header, payload, signature = token_parts
    try:
        mac = base64url_decode(signature)
    except (binascii.Error, ValueError):
        return False
    return base64url_encode(mac) == signature and _HS256.verify(header + b"." + payload, key, mac)
