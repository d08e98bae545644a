"""Tokens made by hand: genuine ones, and every forgery a client could try."""

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt

from bai.adapters.tokens.pocketbase_jwt import DEFAULT_COLLECTION_ID
from bai.domain.entities import User
from tests.support.fakes import FixedClock

HEADER = {"alg": "HS256", "typ": "JWT"}


def segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(header: dict[str, Any], claims: dict[str, Any], key: str) -> str:
    """A token assembled by hand, the way any HS256 implementation would."""
    signing_input = f"{segment(json.dumps(header).encode())}.{segment(json.dumps(claims).encode())}"
    mac = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{segment(mac)}"


def claims_for(user: User, clock: FixedClock, ttl: int, **changes: Any) -> dict[str, Any]:
    claims = {
        "collectionId": DEFAULT_COLLECTION_ID,
        "exp": int(clock.now().timestamp()) + ttl,
        "id": user.pb_id,
        "refreshable": True,
        "type": "auth",
    }
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _spare(signature: str) -> str:
    """The same 32 signature bytes with another last character: the last of the 43 characters
    carries two bits that are not part of the signature."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]


def forgeries(
    user: User, other: User, clock: FixedClock, secret: str, ttl: int = 3600
) -> dict[str, str]:
    """Tokens that must all be refused for `user`, keyed by what is wrong with them."""
    key = user.token_key + secret
    genuine = sign(HEADER, claims_for(user, clock, ttl), key)
    head, body, signature = genuine.split(".")
    tampered_claims = segment(json.dumps(claims_for(other, clock, ttl)).encode())
    return {
        "alg none": f"{segment(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}."
        f"{segment(json.dumps(claims_for(user, clock, ttl)).encode())}.",
        "HS512 with the right key": jwt.encode(
            claims_for(user, clock, ttl), key, algorithm="HS512"
        ),
        "another user's key": sign(HEADER, claims_for(user, clock, ttl), other.token_key + secret),
        "the secret alone": sign(HEADER, claims_for(user, clock, ttl), secret),
        "tampered id": f"{head}.{tampered_claims}.{signature}",
        "missing exp": sign(HEADER, claims_for(user, clock, ttl, exp=None), key),
        "string exp": sign(HEADER, claims_for(user, clock, ttl, exp="9999999999"), key),
        "another collection": sign(
            HEADER, claims_for(user, clock, ttl, collectionId="pbc_0000000000"), key
        ),
        "not an auth token": sign(HEADER, claims_for(user, clock, ttl, type="file"), key),
        "expired": sign(
            HEADER, claims_for(user, clock, ttl, exp=int(clock.now().timestamp()) - 1), key
        ),
        "truncated": genuine[:-5],
        # The genuine signature's bytes, written another way: not the token that was issued.
        "padded signature": f"{genuine}=",
        "stray character in the signature": f"{head}.{body}.!{signature}",
        "other spare bits in the signature": f"{head}.{body}.{_spare(signature)}",
        "nested payload": f"{head}.{segment(b'[' * 5000 + b']' * 5000)}.{signature}",
        "payload not an object": f"{head}.{segment(b'[1]')}.{signature}",
        "garbage": "not.a.token",
    }
