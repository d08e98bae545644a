import base64
import hashlib
import hmac
import json
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import DEFAULT_COLLECTION_ID, PocketBaseTokenIssuer
from tests.support.builders import a_user
from tests.support.fakes import FixedClock
from tests.support.forgery import HEADER, claims_for, forgeries, segment, sign
from tests.unit.conftest import SECRET, TTL

STANDARD_BASE64 = re.compile(r"[A-Za-z0-9+/]*")


def sdk_payload(token: str) -> dict[str, Any]:
    """What the PocketBase JS SDK's `getTokenPayload` sees: `atob` of the middle part, which
    accepts only the standard base64 alphabet, then `JSON.parse`."""
    middle = token.split(".")[1]
    assert STANDARD_BASE64.fullmatch(middle), "atob() would throw on this payload"
    decoded: dict[str, Any] = json.loads(base64.b64decode(middle + "=" * (-len(middle) % 4)))
    return decoded


def test_token_is_byte_for_byte_what_pocketbase_signs(
    tokens: PocketBaseTokenIssuer, clock: FixedClock
) -> None:
    user = a_user()
    compact = json.dumps
    expected_header = segment(compact(HEADER, separators=(",", ":")).encode())
    expected_claims = segment(compact(claims_for(user, clock, TTL), separators=(",", ":")).encode())
    signing_input = f"{expected_header}.{expected_claims}"
    mac = hmac.new(
        (user.token_key + SECRET).encode(), signing_input.encode(), hashlib.sha256
    ).digest()

    assert tokens.issue(user) == f"{signing_input}.{segment(mac)}"


def test_sdk_reads_the_payload_and_sees_an_unexpired_auth_token(
    tokens: PocketBaseTokenIssuer, clock: FixedClock
) -> None:
    user = a_user()

    payload = sdk_payload(tokens.issue(user))

    assert list(payload) == ["collectionId", "exp", "id", "refreshable", "type"]
    assert payload["type"] == "auth"
    assert payload["id"] == user.pb_id
    assert payload["exp"] == clock.now().timestamp() // 1 + TTL
    assert payload["exp"] > clock.now().timestamp()


@settings(max_examples=200)
@given(seed=st.integers(min_value=0), ttl=st.integers(min_value=60, max_value=31_536_000))
def test_every_token_round_trips_and_stays_readable_by_the_sdk(seed: int, ttl: int) -> None:
    clock = FixedClock()
    clock.advance(seed % 10**8)
    issuer = PocketBaseTokenIssuer(
        secret=SECRET, collection_id=DEFAULT_COLLECTION_ID, ttl_seconds=ttl, clock=clock
    )
    user = a_user()

    token = issuer.issue(user)

    assert issuer.claimed_user_id(token) == user.pb_id
    assert issuer.is_valid(token, user)
    assert sdk_payload(token)["exp"] == int(clock.now().timestamp()) + ttl
    assert token.isascii()


def test_token_expires_after_its_lifetime(tokens: PocketBaseTokenIssuer, clock: FixedClock) -> None:
    user = a_user()
    token = tokens.issue(user)

    clock.advance(TTL - 1)
    assert tokens.is_valid(token, user)
    clock.advance(1)
    assert not tokens.is_valid(token, user)


def test_rotating_the_users_key_revokes_their_tokens(tokens: PocketBaseTokenIssuer) -> None:
    user = a_user()
    token = tokens.issue(user)
    rotated = replace(user, token_key=SecretsIdGenerator().new_user_keys().token_key)

    assert not tokens.is_valid(token, rotated)


def test_rotating_the_collection_secret_revokes_every_token(
    tokens: PocketBaseTokenIssuer, clock: FixedClock
) -> None:
    user = a_user()
    token = tokens.issue(user)
    rotated = PocketBaseTokenIssuer(
        secret="another-collection-secret-0123456789",
        collection_id=DEFAULT_COLLECTION_ID,
        ttl_seconds=TTL,
        clock=clock,
    )

    assert not rotated.is_valid(token, user)


@pytest.mark.parametrize(
    "kind",
    list(forgeries(a_user(), a_user(), FixedClock(), SECRET)),
)
def test_forged_tokens_are_invalid(
    tokens: PocketBaseTokenIssuer, clock: FixedClock, kind: str
) -> None:
    user, other = a_user(), a_user()
    forged = forgeries(user, other, clock, SECRET)[kind]

    assert not tokens.is_valid(forged, user)
    claimed = tokens.claimed_user_id(forged)
    assert claimed is None or not tokens.is_valid(forged, other if claimed == other.pb_id else user)


def test_hand_signed_genuine_token_is_valid(
    tokens: PocketBaseTokenIssuer, clock: FixedClock
) -> None:
    user = a_user()

    assert tokens.is_valid(
        sign(HEADER, claims_for(user, clock, TTL), user.token_key + SECRET), user
    )


def test_short_collection_secret_is_refused(clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        PocketBaseTokenIssuer(
            secret="short", collection_id=DEFAULT_COLLECTION_ID, ttl_seconds=TTL, clock=clock
        )
