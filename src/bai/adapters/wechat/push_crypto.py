"""The crypto of WeChat's message push ("消息推送") in safe mode (its JSON or XML is read by
`push_messages.py`).

WeChat signs the handshake with sha1 of the sorted `[token, timestamp, nonce]` and a pushed
message with sha1 of the sorted `[token, timestamp, nonce, Encrypt]`; `Encrypt` is base64 of
AES-256-CBC (key `base64(EncodingAESKey + "=")`, IV its first 16 bytes, PKCS#7 to 32-byte
blocks) over `random(16) + length(4, big-endian) + message + appid`. The trailing appid is what
ties a message to one mini-program: a message sealed for another app is refused.

Every refusal is a `PushRefused` whose `reason` names what failed, for the answer and the
metrics; no message carries a key, a plaintext or an openid, and library errors are not chained
(theirs may quote the bytes they choked on).

    PushRefused
    ├── BadSignature    the signature is not the token's (raised by the caller of a check)
    ├── BadPadding      no key leaves a well-formed PKCS#7 padding
    ├── WrongAppid      the message was sealed for another app
    ├── MalformedPush   not base64, not whole AES blocks, a length past the end, not JSON or XML
    ├── PlaintextPush   no `Encrypt`: plaintext mode, whose signature does not cover the body
    └── StalePush       its signed timestamp is far from now: a replay (raised by the route)
"""

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Final

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers import Cipher, modes

ENCODING_AES_KEY_LENGTH: Final = 43
AES_BLOCK: Final = 16
PADDING_BLOCK: Final = 32
RANDOM_LENGTH: Final = 16
_LENGTH_END: Final = RANDOM_LENGTH + 4
_BASE64_ALPHABET: Final = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)


class PushRefusalReason(StrEnum):
    """What a refusal is counted under: the values are metric labels, so they never change."""

    BAD_SIGNATURE = "bad_signature"
    BAD_PADDING = "bad_padding"
    WRONG_APPID = "wrong_appid"
    MALFORMED = "malformed"
    PLAINTEXT = "plaintext"
    STALE = "stale"


class PushRefused(Exception):
    reason: ClassVar[PushRefusalReason]
    default_message: ClassVar[str]

    def __init__(self) -> None:
        super().__init__(self.default_message)


class BadSignature(PushRefused):
    reason = PushRefusalReason.BAD_SIGNATURE
    default_message = "the push's signature does not match"


class BadPadding(PushRefused):
    reason = PushRefusalReason.BAD_PADDING
    default_message = "no push key decrypts the message to a valid padding"


class WrongAppid(PushRefused):
    reason = PushRefusalReason.WRONG_APPID
    default_message = "the push was sealed for another app"


class MalformedPush(PushRefused):
    reason = PushRefusalReason.MALFORMED
    default_message = "the push is not in WeChat's format"


class PlaintextPush(PushRefused):
    reason = PushRefusalReason.PLAINTEXT
    default_message = "the push is in plaintext mode, which BAI does not accept"


class StalePush(PushRefused):
    reason = PushRefusalReason.STALE
    default_message = "the push was signed too long ago (or not at all recently): a replay"


@dataclass(frozen=True, slots=True, repr=False)
class PushKey:
    """The AES key of one EncodingAESKey. Its repr names no byte of it, so that a key that
    reaches a log or a traceback stays secret."""

    secret: bytes

    def __post_init__(self) -> None:
        if len(self.secret) != PADDING_BLOCK:
            raise ValueError("a push key is 32 bytes")

    @classmethod
    def from_encoding_aes_key(cls, encoding_aes_key: str) -> "PushKey":
        """The key that WeChat's console shows as 43 characters of base64; the message never
        repeats the key, only what is wrong with it."""
        rule = f"a push AES key (EncodingAESKey) is {ENCODING_AES_KEY_LENGTH} characters of base64"
        if len(encoding_aes_key) != ENCODING_AES_KEY_LENGTH:
            raise ValueError(f"{rule}; this one has {len(encoding_aes_key)}")
        if not _BASE64_ALPHABET.issuperset(encoding_aes_key):
            raise ValueError(f"{rule} (A-Z, a-z, 0-9, + and /); this one has others")
        return cls(base64.b64decode(encoding_aes_key + "="))

    def __repr__(self) -> str:
        return "PushKey(<secret>)"

    def cipher(self) -> "Cipher[modes.CBC]":
        # Imported at the first push: a worker of a deployment without push settings never
        # loads OpenSSL's bindings (40 ms and 10 MB a worker).
        from cryptography.hazmat.primitives.ciphers import (  # noqa: PLC0415
            Cipher,
            algorithms,
            modes,
        )

        return Cipher(algorithms.AES(self.secret), modes.CBC(self.secret[:AES_BLOCK]))


def _utf8(text: str) -> bytes:
    """Any str as bytes, lone surrogates included: what comes from a query never raises."""
    return text.encode("utf-8", "surrogatepass")


def _sha1_of_sorted(*parts: str) -> str:
    return hashlib.sha1(_utf8("".join(sorted(parts))), usedforsecurity=False).hexdigest()


def _same(signature: str, expected: str) -> bool:
    return hmac.compare_digest(_utf8(signature), _utf8(expected))


def handshake_signature(token: str, timestamp: str, nonce: str) -> str:
    """sha1 hex of the sorted, concatenated parts (their order here does not matter)."""
    return _sha1_of_sorted(token, timestamp, nonce)


def handshake_signature_matches(signature: str, *, token: str, timestamp: str, nonce: str) -> bool:
    return _same(signature, handshake_signature(token, timestamp, nonce))


def message_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """sha1 hex of the sorted, concatenated parts: the signature covers the ciphertext."""
    return _sha1_of_sorted(token, timestamp, nonce, encrypt)


def message_signature_matches(
    signature: str, *, token: str, timestamp: str, nonce: str, encrypt: str
) -> bool:
    return _same(signature, message_signature(token, timestamp, nonce, encrypt))


def encrypt(message: bytes, key: PushKey, *, appid: str, random16: bytes | None = None) -> str:
    """`Encrypt` as WeChat makes it, for answers and tests; `random16` pins the random part."""
    prefix = secrets.token_bytes(RANDOM_LENGTH) if random16 is None else random16
    if len(prefix) != RANDOM_LENGTH:
        raise ValueError("the random part is 16 bytes")
    plain = prefix + len(message).to_bytes(4, "big") + message + _utf8(appid)
    pad = PADDING_BLOCK - len(plain) % PADDING_BLOCK
    encryptor = key.cipher().encryptor()
    sealed = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    return base64.b64encode(sealed).decode("ascii")


def decrypt(encrypt_b64: str, keys: Sequence[PushKey], *, expected_appid: str) -> bytes:
    """The message inside `Encrypt`, trying each key in turn (the current one, then the one it
    replaced while WeChat's console is being changed over). When none opens it, the refusal is
    the one that got furthest: another app's message beats a broken layout, which beats a
    padding that no key leaves."""
    try:
        sealed = base64.b64decode(encrypt_b64, validate=True)
    except ValueError:  # binascii.Error, or a character outside ASCII
        raise MalformedPush from None
    if not sealed or len(sealed) % AES_BLOCK:
        raise MalformedPush
    refusal: PushRefused = BadPadding()
    for key in keys:
        try:
            return _open(sealed, key, expected_appid=_utf8(expected_appid))
        except (WrongAppid, MalformedPush) as exc:
            if not isinstance(refusal, WrongAppid):
                refusal = exc
        except BadPadding:
            continue
    raise refusal


def _open(sealed: bytes, key: PushKey, *, expected_appid: bytes) -> bytes:
    decryptor = key.cipher().decryptor()
    plain = decryptor.update(sealed) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= PADDING_BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise BadPadding
    unpadded = plain[:-pad]
    if len(unpadded) < _LENGTH_END:
        raise MalformedPush
    end = _LENGTH_END + int.from_bytes(unpadded[RANDOM_LENGTH:_LENGTH_END], "big")
    if end > len(unpadded):
        raise MalformedPush
    if unpadded[end:] != expected_appid:
        raise WrongAppid
    return unpadded[_LENGTH_END:end]
