import base64

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bai.adapters.wechat.push_crypto import (
    PushKey,
    PushRefusalReason,
    PushRefused,
    decrypt,
    encrypt,
    message_signature,
    message_signature_matches,
)
from bai.adapters.wechat.push_messages import read_encrypt, read_fields
from tests.support.wechat_push import (
    DOCS_ANSWER_ENCRYPT,
    DOCS_ANSWER_MESSAGE,
    DOCS_ANSWER_RANDOM16,
    DOCS_ANSWER_SIGNATURE,
    DOCS_ANSWER_TIMESTAMP,
    DOCS_PUSH,
    DOCS_PUSH_MESSAGE,
    SAMPLE_CODE_PUSH,
    PushExample,
)

KEY = PushKey.from_encoding_aes_key(DOCS_PUSH.encoding_aes_key)
OTHER_KEY = PushKey.from_encoding_aes_key("B" * 43)
APPID = DOCS_PUSH.appid
REFUSALS = set(PushRefusalReason) - {PushRefusalReason.PLAINTEXT}

appids = st.text(max_size=40)
keys = st.binary(min_size=32, max_size=32).map(PushKey)


def seal_raw(plain: bytes) -> str:
    """Encrypt whole blocks as they are: a plaintext whose padding or layout is broken."""
    encryptor = KEY.cipher().encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def refusal_of(encrypt_b64: str, keys: list[PushKey], appid: str = APPID) -> PushRefusalReason:
    with pytest.raises(PushRefused) as refused:
        decrypt(encrypt_b64, keys, expected_appid=appid)
    return refused.value.reason


def test_wechats_safe_mode_example_is_signed_and_opens_to_its_debug_demo_event() -> None:
    example = DOCS_PUSH
    assert (
        message_signature(example.token, example.timestamp, example.nonce, example.encrypt)
        == "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3"
    )

    message = decrypt(read_encrypt(example.body), [KEY], expected_appid=APPID)

    assert message == DOCS_PUSH_MESSAGE
    assert read_fields(message)["Event"] == "debug_demo"


@pytest.mark.parametrize("example", [DOCS_PUSH, SAMPLE_CODE_PUSH], ids=["docs", "sample-code"])
def test_wechats_examples_check_open_and_seal_again_byte_for_byte(example: PushExample) -> None:
    key = PushKey.from_encoding_aes_key(example.encoding_aes_key)
    encrypted = read_encrypt(example.body)
    assert message_signature_matches(
        example.msg_signature,
        token=example.token,
        timestamp=example.timestamp,
        nonce=example.nonce,
        encrypt=encrypted,
    )

    message = decrypt(encrypted, [key], expected_appid=example.appid)

    assert encrypt(message, key, appid=example.appid, random16=example.random16) == encrypted


def test_wechats_answer_example_encrypts_and_signs_as_its_documentation_says() -> None:
    sealed = encrypt(DOCS_ANSWER_MESSAGE, KEY, appid=APPID, random16=DOCS_ANSWER_RANDOM16)

    assert sealed == DOCS_ANSWER_ENCRYPT
    signature = message_signature(DOCS_PUSH.token, DOCS_ANSWER_TIMESTAMP, DOCS_PUSH.nonce, sealed)
    assert signature == DOCS_ANSWER_SIGNATURE


@settings(max_examples=200)
@given(message=st.binary(max_size=300), appid=appids, key=keys)
def test_any_message_and_appid_round_trip(message: bytes, appid: str, key: PushKey) -> None:
    sealed = encrypt(message, key, appid=appid)

    assert len(base64.b64decode(sealed)) % 32 == 0
    assert decrypt(sealed, [key], expected_appid=appid) == message


@settings(max_examples=50)
@given(message=st.binary(max_size=100))
def test_the_previous_key_still_opens_a_message_while_the_key_is_changed(message: bytes) -> None:
    sealed = encrypt(message, OTHER_KEY, appid=APPID)

    assert decrypt(sealed, [KEY, OTHER_KEY], expected_appid=APPID) == message


@settings(max_examples=200)
@given(message=st.binary(max_size=100), key=keys)
def test_a_message_sealed_with_another_key_is_refused(message: bytes, key: PushKey) -> None:
    assume(key not in {KEY, OTHER_KEY})
    sealed = encrypt(message, key, appid=APPID)

    assert refusal_of(sealed, [KEY, OTHER_KEY]) in {
        PushRefusalReason.BAD_PADDING,
        PushRefusalReason.MALFORMED,
    }


@settings(max_examples=200)
@given(sealed_for=appids, expected=appids)
def test_a_message_sealed_for_another_app_is_refused_as_wrong_appid(
    sealed_for: str, expected: str
) -> None:
    assume(sealed_for != expected)
    sealed = encrypt(b'{"Event":"debug_demo"}', KEY, appid=sealed_for)

    assert refusal_of(sealed, [KEY, OTHER_KEY], appid=expected) is PushRefusalReason.WRONG_APPID


def test_another_apps_message_is_told_from_a_key_that_leaves_garbage_in_either_order() -> None:
    sealed = encrypt(
        b'{"Event":"debug_demo"}', KEY, appid="wx_another_app", random16=b"0000000000000609"
    )
    assert refusal_of(sealed, [OTHER_KEY]) is PushRefusalReason.MALFORMED  # padding by chance

    assert refusal_of(sealed, [KEY, OTHER_KEY]) is PushRefusalReason.WRONG_APPID
    assert refusal_of(sealed, [OTHER_KEY, KEY]) is PushRefusalReason.WRONG_APPID


@settings(max_examples=200)
@given(position=st.integers(0, 223), flip=st.integers(1, 255))
def test_a_tampered_ciphertext_fails_its_signature_and_never_raises_another_error(
    position: int, flip: int
) -> None:
    sealed = bytearray(base64.b64decode(DOCS_PUSH.encrypt))
    sealed[position] ^= flip
    tampered = base64.b64encode(sealed).decode()

    assert not message_signature_matches(
        DOCS_PUSH.msg_signature,
        token=DOCS_PUSH.token,
        timestamp=DOCS_PUSH.timestamp,
        nonce=DOCS_PUSH.nonce,
        encrypt=tampered,
    )
    reason: PushRefusalReason | None = None
    try:  # CBC lets a changed block through, garbled: the signature is what refuses it
        decrypt(tampered, [KEY], expected_appid=APPID)
    except PushRefused as refused:
        reason = refused.reason
    assert reason is None or reason in REFUSALS


@settings(max_examples=200)
@given(
    sealed=st.one_of(
        st.binary(max_size=100),
        st.integers(1, 8).flatmap(
            lambda blocks: st.binary(min_size=blocks * 16, max_size=blocks * 16)
        ),
    )
)
def test_any_base64_is_refused_with_a_reason(sealed: bytes) -> None:
    assert refusal_of(base64.b64encode(sealed).decode(), [KEY, OTHER_KEY]) in REFUSALS


@settings(max_examples=200)
@given(text=st.text(max_size=100))
def test_any_text_as_encrypt_is_refused_with_a_reason(text: str) -> None:
    assert refusal_of(text, [KEY]) in REFUSALS


A_BLOCK = b"r" * 16 + (2).to_bytes(4, "big") + b"{}" + b"wx_appid00"


@pytest.mark.parametrize(
    "plain",
    [
        A_BLOCK + b"\x00" * 32,
        b"\x21" * 64,
        A_BLOCK + b"\x01" * 31 + b"\x02",
        A_BLOCK + b"\x03" * 30 + b"\x04\x04",
    ],
    ids=["zero", "33", "unequal-1", "unequal-2"],
)
def test_a_padding_that_pkcs7_to_32_bytes_does_not_allow_is_refused(plain: bytes) -> None:
    assert refusal_of(seal_raw(plain), [KEY]) is PushRefusalReason.BAD_PADDING


@pytest.mark.parametrize(
    "encrypt_b64",
    ["", "QUJD", base64.b64encode(b"x" * 17).decode(), "not base64!", DOCS_PUSH.encrypt + "\n"],
    ids=["empty", "3-bytes", "17-bytes", "not-base64", "trailing-newline"],
)
def test_what_is_not_whole_aes_blocks_in_base64_is_malformed(encrypt_b64: str) -> None:
    assert refusal_of(encrypt_b64, [KEY]) is PushRefusalReason.MALFORMED


@pytest.mark.parametrize("length", [3, 2**32 - 1], ids=["one-past-the-end", "largest"])
def test_a_length_that_runs_past_the_plaintext_is_malformed(length: int) -> None:
    plain = b"r" * 16 + length.to_bytes(4, "big") + b"{}" + b"\x0a" * 10

    assert refusal_of(seal_raw(plain), [KEY]) is PushRefusalReason.MALFORMED


def test_a_refusal_names_neither_the_key_nor_the_plaintext() -> None:
    with pytest.raises(PushRefused) as refused:
        decrypt(DOCS_PUSH.encrypt, [KEY], expected_appid="wx0000000000000000")

    assert refused.value.reason is PushRefusalReason.WRONG_APPID
    assert "o9AgO5Kd5ggOC" not in str(refused.value)
    assert APPID not in str(refused.value)
    assert "AAAA" not in repr(KEY)


@pytest.mark.parametrize(
    "encoding_aes_key",
    ["A" * 42, "A" * 44, "A" * 42 + "=", "A" * 42 + "-", "A" * 42 + "é", ""],
    ids=["42", "44", "padded", "url-safe", "not-ascii", "empty"],
)
def test_an_encoding_aes_key_must_be_43_base64_characters(encoding_aes_key: str) -> None:
    with pytest.raises(ValueError, match="43 characters of base64") as refused:
        PushKey.from_encoding_aes_key(encoding_aes_key)

    assert "AAAA" not in str(refused.value)
