from hypothesis import given
from hypothesis import strategies as st

from bai.domain.values import masked_phone

phones = st.text(st.sampled_from("+0123456789"), max_size=20)


def test_mainland_numbers_show_the_first_3_and_last_4_digits() -> None:
    assert masked_phone("13800138000") == "138****8000"


def test_no_phone_masks_to_nothing() -> None:
    assert masked_phone("") == ""


@given(phone=phones)
def test_masking_keeps_the_length_and_the_last_4(phone: str) -> None:
    masked = masked_phone(phone)
    assert len(masked) == len(phone)
    if len(phone) > 4:
        assert masked.endswith(phone[-4:])


@given(phone=phones.filter(lambda p: len(p) != 11))
def test_other_lengths_show_only_the_last_4(phone: str) -> None:
    masked = masked_phone(phone)
    hidden = max(len(phone) - 4, len(phone) if len(phone) <= 4 else 0)
    assert masked[:hidden] == "*" * hidden


@given(phone=st.text(st.sampled_from("0123456789"), min_size=1, max_size=20))
def test_a_masked_number_never_reveals_the_whole_number(phone: str) -> None:
    assert masked_phone(phone) != phone
