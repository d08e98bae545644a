"""The identifiers BAI makes: PocketBase's shapes, each character as likely as another."""

import re
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.adapters.system import ids
from bai.adapters.system.ids import (
    PROMO_CODE_ALPHABET,
    RECORD_ID_ALPHABET,
    TOKEN_KEY_ALPHABET,
    SecretsIdGenerator,
)


def test_every_identifier_has_pocketbases_shape() -> None:
    made = SecretsIdGenerator()
    keys = made.new_user_keys()

    assert re.fullmatch("[a-z0-9]{15}", keys.pb_id)
    assert re.fullmatch("[a-z0-9]{15}", made.new_record_id())
    assert re.fullmatch("[a-zA-Z0-9]{50}", keys.token_key)
    assert re.fullmatch("[a-zA-Z0-9]{50}", made.new_token_key())
    assert re.fullmatch("[1-9][0-9]{15}", keys.users_id)
    assert set(keys.users_promo_code) <= set(PROMO_CODE_ALPHABET)
    assert len(keys.users_promo_code) == 8


@given(
    alphabet=st.sampled_from([RECORD_ID_ALPHABET, TOKEN_KEY_ALPHABET, PROMO_CODE_ALPHABET]),
    drawn=st.lists(st.binary(min_size=1, max_size=64), min_size=1, max_size=8),
    length=st.integers(min_value=1, max_value=50),
)
def test_a_byte_that_would_favour_some_characters_is_drawn_again(
    alphabet: str, drawn: list[bytes], length: int
) -> None:
    """Bytes at or above the largest multiple of the alphabet's size would make its first
    characters likelier: they are skipped, and every other byte picks `byte % size`."""
    below = 256 - 256 % len(alphabet)
    given_bytes = iter([*drawn, bytes(range(below)) * 2])  # then enough usable bytes
    kept = [byte for chunk in drawn for byte in chunk if byte < below] + [*range(below)] * 2

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secrets, "token_bytes", lambda _: next(given_bytes))
        made = ids._random(alphabet, length)

    assert made == "".join(alphabet[byte % len(alphabet)] for byte in kept[:length])
