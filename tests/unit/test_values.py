import string
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.domain.errors import InvalidField
from bai.domain.values import (
    AvatarUrl,
    LoginCode,
    Nickname,
    PhoneCode,
    PhoneNumber,
    WeChatIdentity,
)


@contextmanager
def refused(field: str) -> Iterator[None]:
    with pytest.raises(InvalidField) as error:
        yield
    assert error.value.field == field
    assert error.value.message, "a person-readable message"


printable_ascii = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
valid_codes = st.text(printable_ascii, min_size=1, max_size=128)


@pytest.mark.parametrize("kind", [LoginCode, PhoneCode])
@given(value=valid_codes)
def test_codes_of_1_to_128_printable_ascii_characters_are_accepted(
    kind: type[LoginCode | PhoneCode], value: str
) -> None:
    assert kind(value).value == value


@pytest.mark.parametrize("kind", [LoginCode, PhoneCode])
@given(value=st.text(printable_ascii, min_size=129, max_size=300))
def test_codes_longer_than_128_are_refused(kind: type[LoginCode | PhoneCode], value: str) -> None:
    with pytest.raises(InvalidField) as refused:
        kind(value)
    assert refused.value.field == kind.field


@pytest.mark.parametrize("kind", [LoginCode, PhoneCode])
@given(
    prefix=st.text(printable_ascii, max_size=20),
    bad=st.characters(blacklist_categories=(), max_codepoint=0x10FFFF).filter(
        lambda char: not " " <= char <= "~"
    ),
)
def test_codes_with_anything_but_printable_ascii_are_refused(
    kind: type[LoginCode | PhoneCode], prefix: str, bad: str
) -> None:
    with pytest.raises(InvalidField):
        kind(prefix + bad)


def test_empty_code_is_refused() -> None:
    with refused("users_wx_code"):
        LoginCode("")


name_characters = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
visible_characters = st.characters(whitelist_categories=("L", "N", "P", "S")).filter(
    lambda char: char not in BLANK_LETTERS and not char.isspace()
)
invisible_characters = st.characters(whitelist_categories=("Cf", "Mn", "Me", "Zs")) | (
    st.sampled_from(BLANK_LETTERS)
)


@given(visible=visible_characters, rest=st.text(name_characters, max_size=31))
def test_nicknames_are_trimmed_and_kept(visible: str, rest: str) -> None:
    core = (visible + rest).strip()

    assert Nickname(f"  {core}\t ").value == core


@given(name=st.text(invisible_characters, min_size=1, max_size=32))
def test_nicknames_made_only_of_invisible_characters_are_refused(name: str) -> None:
    with refused("users_name"):
        Nickname(name)


@given(
    left=st.text(invisible_characters, max_size=10),
    visible=visible_characters,
    right=st.text(invisible_characters, max_size=10),
)
def test_one_visible_character_among_invisible_ones_is_a_name(
    left: str, visible: str, right: str
) -> None:
    assert Nickname(left + visible + right).value == (left + visible + right).strip()


@given(
    value=st.text(name_characters, min_size=33, max_size=60).filter(lambda t: len(t.strip()) > 32)
)
def test_nicknames_over_32_characters_are_refused(value: str) -> None:
    with refused("users_name"):
        Nickname(value)


@given(
    left=st.text(name_characters, min_size=1, max_size=10),
    control=st.characters(whitelist_categories=("Cc", "Zl", "Zp")),
    right=st.text(name_characters, min_size=1, max_size=10),
)
def test_nicknames_with_control_characters_are_refused(left: str, control: str, right: str) -> None:
    with pytest.raises(InvalidField):
        Nickname(f"x{left}{control}{right}x")


@pytest.mark.parametrize("name", ["张三", "🐼 panda", "👨‍👩‍👧 family", "Zoë", "a" * 32])
def test_emoji_cjk_and_accents_are_fine(name: str) -> None:
    assert Nickname(name).value == name


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_blank_nicknames_are_refused(name: str) -> None:
    with pytest.raises(InvalidField):
        Nickname(name)


url_tails = st.text(
    st.sampled_from(string.ascii_letters + string.digits + "/-._~?=&%"), max_size=200
)


@given(scheme=st.sampled_from(["http", "https"]), tail=url_tails)
def test_web_urls_are_accepted(scheme: str, tail: str) -> None:
    url = f"{scheme}://cdn.example.com/{tail}"
    assert AvatarUrl(url).value == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://",
        "//example.com/a.png",
        "https://exa mple.com/a.png",
        "https://example.com/\na.png",
        "https://example.com/" + "a" * 1005,
    ],
)
def test_anything_but_a_short_web_url_is_refused(url: str) -> None:
    with refused("users_picture"):
        AvatarUrl(url)


@given(digits=st.text(st.sampled_from(string.digits), min_size=5, max_size=20), plus=st.booleans())
def test_phone_numbers_are_digits_with_an_optional_plus(digits: str, plus: bool) -> None:
    number = f"+{digits}" if plus else digits
    assert PhoneNumber(number).value == number


@pytest.mark.parametrize(
    "number", ["", "1234", "138-0013-8000", "+", "１３８００１３８０００", "1" * 21]
)
def test_malformed_phone_numbers_are_refused(number: str) -> None:
    with pytest.raises(InvalidField):
        PhoneNumber(number)


digit_strings = st.text("0123456789", min_size=5, max_size=15)


@given(number=digit_strings, spelled=st.sampled_from(["86", "+86", " 86 ", ""]))
def test_a_mainland_number_is_kept_as_the_digits_users_type(number: str, spelled: str) -> None:
    assert PhoneNumber.verified(spelled, number).value == number


@given(number=digit_strings, country=st.integers(1, 999).filter(lambda c: c != 86))
def test_other_countries_keep_their_code_so_two_never_collide(number: str, country: int) -> None:
    assert PhoneNumber.verified(str(country), number).value == f"+{country}{number}"
    assert PhoneNumber.verified(f"+{country}", number).value == f"+{country}{number}"


@pytest.mark.parametrize("absent", [None, ""])
def test_an_absent_null_or_empty_login_code_is_no_code(absent: str | None) -> None:
    assert LoginCode.optional(absent) is None
    assert LoginCode.optional("c-1") == LoginCode("c-1")


wechat_ids = st.text(printable_ascii, min_size=1, max_size=128)


@given(openid=wechat_ids, unionid=st.one_of(st.just(""), wechat_ids))
def test_wechat_ids_of_up_to_128_printable_characters_are_kept(openid: str, unionid: str) -> None:
    identity = WeChatIdentity(openid=openid, unionid=unionid)

    assert (identity.openid, identity.unionid) == (openid, unionid)


@pytest.mark.parametrize("field", ["openid", "unionid"])
@given(value=st.text(printable_ascii, min_size=129, max_size=140))
def test_wechat_ids_over_128_characters_are_refused(field: str, value: str) -> None:
    with refused(field):
        WeChatIdentity(**{"openid": "o", field: value})


@pytest.mark.parametrize("field", ["openid", "unionid"])
@given(
    left=st.text(printable_ascii, max_size=60),
    control=st.characters(whitelist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")),
    right=st.text(printable_ascii, max_size=60),
)
def test_wechat_ids_holding_a_control_character_are_refused(
    field: str, left: str, control: str, right: str
) -> None:
    with refused(field):
        WeChatIdentity(**{"openid": "o", field: left + control + right})


def test_an_identity_without_an_openid_is_refused() -> None:
    with refused("openid"):
        WeChatIdentity(openid="")
