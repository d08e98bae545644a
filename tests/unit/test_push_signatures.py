from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bai.adapters.wechat.push_crypto import (
    handshake_signature,
    handshake_signature_matches,
    message_signature,
    message_signature_matches,
)
from tests.support.wechat_push import DOCS_HANDSHAKE

signature_parts = st.text(max_size=60)


def test_wechats_handshake_example_has_the_signature_of_its_documentation() -> None:
    example = DOCS_HANDSHAKE
    signature = handshake_signature(example.token, example.timestamp, example.nonce)

    assert signature == "f464b24fc39322e44b38aa78f5edd27bd1441696"
    assert signature.startswith("f464b24f")
    assert signature.endswith("1696")
    assert handshake_signature_matches(
        example.signature, token=example.token, timestamp=example.timestamp, nonce=example.nonce
    )


def sign(parts: list[str]) -> str:
    return message_signature(*parts) if len(parts) == 4 else handshake_signature(*parts)


def check(signature: str, parts: list[str]) -> bool:
    """The message signature's check for four parts, the handshake's for three."""
    token, timestamp, nonce, *encrypted = parts
    if encrypted:
        return message_signature_matches(
            signature, token=token, timestamp=timestamp, nonce=nonce, encrypt=encrypted[0]
        )
    return handshake_signature_matches(signature, token=token, timestamp=timestamp, nonce=nonce)


three_or_four_parts = st.lists(signature_parts, min_size=3, max_size=4)


@settings(max_examples=200)
@given(parts=three_or_four_parts, changed=st.integers(0, 3), other=signature_parts)
def test_a_signature_fails_when_any_part_changes(
    parts: list[str], changed: int, other: str
) -> None:
    signature = sign(parts)
    before = "".join(sorted(parts))
    parts[changed % len(parts)] = other
    assume("".join(sorted(parts)) != before)  # joined without separators: "12"+"121" = "121"+"21"

    assert not check(signature, parts)


@settings(max_examples=200)
@given(parts=three_or_four_parts, signature=st.text(max_size=41))
def test_any_other_signature_fails(parts: list[str], signature: str) -> None:
    assume(signature != sign(parts))

    assert not check(signature, parts)


def test_the_parts_are_joined_as_wechat_joins_them_without_separators() -> None:
    assert message_signature("AAAAA", "12", "121", "E") == message_signature(
        "AAAAA", "121", "21", "E"
    )
    assert handshake_signature("a", "b", "c") == handshake_signature("c", "a", "b")
