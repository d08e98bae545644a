import base64
import hashlib
import hmac
import json
import re
from dataclasses import replace
from typing import Any

import jwt
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from bai.adapters.system.ids import SecretsIdGenerator
from bai.adapters.tokens.pocketbase_jwt import DEFAULT_COLLECTION_ID, PocketBaseTokenIssuer
from bai.domain.entities import User
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

    assert issuer.claimed(token) == (user.pb_id, "")  # no session named
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
    claimed = tokens.claimed(forged)
    assert claimed is None or not tokens.is_valid(
        forged, other if claimed[0] == other.pb_id else user
    )


def test_hand_signed_genuine_token_is_valid(
    tokens: PocketBaseTokenIssuer, clock: FixedClock
) -> None:
    user = a_user()

    assert tokens.is_valid(
        sign(HEADER, claims_for(user, clock, TTL), user.token_key + SECRET), user
    )


def test_short_collection_secret_is_refused(clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="at least 30 bytes"):
        PocketBaseTokenIssuer(
            secret="short", collection_id=DEFAULT_COLLECTION_ID, ttl_seconds=TTL, clock=clock
        )


def reference_is_valid(token: str, user: User, now: float) -> bool:
    """The rules of `is_valid`, on PyJWT's general decode: the oracle for the adapter."""
    try:
        claims = jwt.decode(
            token,
            user.token_key + SECRET,
            algorithms=["HS256"],
            options={"require": ["exp", "id", "type", "collectionId"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        return False
    return (
        claims["type"] == "auth"
        and claims["collectionId"] == DEFAULT_COLLECTION_ID
        and type(claims["exp"]) is int
        and claims["exp"] > now
        and claims["id"] == user.pb_id
    )


GENUINE, ABSENT = "<genuine>", "<absent>"
CLAIM_VALUES = {
    "collectionId": st.sampled_from(["pbc_0000000000", 7]),
    "exp": st.one_of(
        st.integers(min_value=-(2**40), max_value=2**40), st.booleans(), st.floats(), st.text()
    ),
    "id": st.sampled_from(["other", 0]),
    "refreshable": st.booleans(),
    "type": st.sampled_from(["file", ""]),
}


def mostly_genuine(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The genuine claim four times in five, else absent or a wrong value."""
    return st.integers(0, 9).flatmap(
        lambda n: st.just(GENUINE) if n < 8 else st.one_of(st.just(ABSENT), values)
    )


@settings(max_examples=500)
@given(
    changes=st.fixed_dictionaries({k: mostly_genuine(v) for k, v in CLAIM_VALUES.items()}),
    issuer_claim=st.one_of(st.just(ABSENT), st.text(max_size=5)),
    algorithm=st.sampled_from(["HS256", "HS256", "HS256", "HS384"]),
    extra_header=st.sampled_from([None, {"kid": "k1"}, {"typ": "at+jwt"}]),
    right_key=st.sampled_from([True, True, True, False]),
)
def test_the_adapter_agrees_with_pyjwts_general_decode(
    changes: dict[str, Any],
    issuer_claim: str,
    algorithm: str,
    extra_header: dict[str, str] | None,
    right_key: bool,
) -> None:
    clock = FixedClock()
    issuer = PocketBaseTokenIssuer(
        secret=SECRET, collection_id=DEFAULT_COLLECTION_ID, ttl_seconds=TTL, clock=clock
    )
    user, other = a_user(), a_user()
    genuine = claims_for(user, clock, TTL)
    payload = {"iss": issuer_claim}
    for claim, change in changes.items():
        payload[claim] = genuine[claim] if change == GENUINE else change
    if payload["id"] == "other":
        payload["id"] = other.pb_id
    payload = {claim: value for claim, value in payload.items() if value != ABSENT}
    key = (user if right_key else other).token_key + SECRET
    token = jwt.encode(payload, key, algorithm=algorithm, headers=extra_header)

    expected = reference_is_valid(token, user, clock.now().timestamp())
    event(f"valid: {expected}")

    assert issuer.is_valid(token, user) is expected
    if expected:
        assert (issuer.claimed(token) or ("", ""))[0] == user.pb_id
