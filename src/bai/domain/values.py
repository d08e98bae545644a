"""Value objects: each checks the bounds SPEC sets for it and raises `InvalidField`."""

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from bai.domain.errors import InvalidField

CODE_MAX_LENGTH = 128
NICKNAME_MAX_LENGTH = 32
AVATAR_URL_MAX_LENGTH = 1024
_FORBIDDEN_IN_NAMES = frozenset({"Cc", "Zl", "Zp", "Cs"})
# Format characters (zero-width spaces and joiners, BOM, direction marks), combining marks with
# nothing to combine with, and the letters that draw as blanks (Hangul fillers, Braille blank).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Zs"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _is_invisible(char: str) -> bool:
    return (
        char.isspace()
        or char in _BLANK_LETTERS
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
    )


def _check_code(field: str, value: str, label: str) -> None:
    if not 1 <= len(value) <= CODE_MAX_LENGTH:
        raise InvalidField(
            field, f"length must be 1..{CODE_MAX_LENGTH}", f"{label}不能为空且不超过 128 个字符"
        )
    if not all(" " <= char <= "~" for char in value):
        raise InvalidField(field, "must be printable ASCII", f"{label}格式不正确")


@dataclass(frozen=True, slots=True)
class LoginCode:
    """The temporary code `wx.login` gives the mini-program."""

    value: str
    field = "users_wx_code"

    def __post_init__(self) -> None:
        _check_code(self.field, self.value, "微信登录凭证")

    @classmethod
    def optional(cls, value: str | None) -> "LoginCode | None":
        """Where a code may be left out (refresh-token): absent, null or "" is no code."""
        return cls(value) if value else None


@dataclass(frozen=True, slots=True)
class PhoneCode:
    """The code `getPhoneNumber` gives the mini-program."""

    value: str
    field = "users_phone_code"

    def __post_init__(self) -> None:
        _check_code(self.field, self.value, "手机号授权凭证")


@dataclass(frozen=True, slots=True)
class Nickname:
    """A display name: trimmed, 1..32 characters, no control characters, and something to see:
    a name made only of invisible characters is an empty name."""

    value: str
    field = "users_name"

    def __post_init__(self) -> None:
        trimmed = self.value.strip()
        if any(unicodedata.category(char) in _FORBIDDEN_IN_NAMES for char in trimmed):
            raise InvalidField(
                self.field, "must not contain control characters", "昵称包含非法字符"
            )
        if not 1 <= len(trimmed) <= NICKNAME_MAX_LENGTH:
            raise InvalidField(
                self.field, "length must be 1..32 after trimming", "昵称需为 1-32 个字符"
            )
        if all(_is_invisible(char) for char in trimmed):
            raise InvalidField(self.field, "must contain a visible character", "昵称不能为空")
        object.__setattr__(self, "value", trimmed)


@dataclass(frozen=True, slots=True)
class AvatarUrl:
    """An `http` or `https` URL of at most 1024 characters."""

    value: str
    field = "users_picture"

    def __post_init__(self) -> None:
        if not 1 <= len(self.value) <= AVATAR_URL_MAX_LENGTH:
            raise InvalidField(self.field, "length must be 1..1024", "头像地址长度不正确")
        if not all("!" <= char <= "~" for char in self.value) or not _is_web_url(self.value):
            raise InvalidField(
                self.field, "must be an http or https URL", "头像地址必须是 http(s) 链接"
            )


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
        return parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A phone number WeChat verified: digits, with a leading `+` for foreign numbers."""

    value: str
    field = "users_phone"

    @classmethod
    def verified(cls, country_code: str, number: str) -> "PhoneNumber":
        """What WeChat verified, as BAI keeps it: mainland numbers as the 11 digits users type,
        others as `+<country code><number>`, so numbers of two countries never collide."""
        country = country_code.strip().lstrip("+") or MAINLAND_COUNTRY_CODE
        pure = number.strip()
        return cls(pure if country == MAINLAND_COUNTRY_CODE else f"+{country}{pure}")

    def __post_init__(self) -> None:
        digits = self.value.removeprefix("+")
        if not (5 <= len(digits) <= 20 and digits.isascii() and digits.isdigit()):  # noqa: PLR2004
            raise InvalidField(self.field, "must be 5..20 digits", "手机号格式不正确")


MAINLAND_COUNTRY_CODE = "86"
MAINLAND_PHONE_LENGTH = 11
VISIBLE_PHONE_TAIL = 4


def masked_phone(phone: str) -> str:
    """How a phone number is shown (SPEC, `users_phone_masked`): `13800138000` ->
    `138****8000`; any other length keeps only its last 4 characters, and a number of 4
    characters or fewer is hidden entirely."""
    if len(phone) == MAINLAND_PHONE_LENGTH:
        return f"{phone[:3]}****{phone[-VISIBLE_PHONE_TAIL:]}"
    if len(phone) <= VISIBLE_PHONE_TAIL:
        return "*" * len(phone)
    return "*" * (len(phone) - VISIBLE_PHONE_TAIL) + phone[-VISIBLE_PHONE_TAIL:]


WECHAT_ID_MAX_LENGTH = 128


def _check_wechat_id(field: str, value: str, *, shortest: int) -> None:
    if not shortest <= len(value) <= WECHAT_ID_MAX_LENGTH:
        raise InvalidField(field, f"length must be {shortest}..{WECHAT_ID_MAX_LENGTH}")
    if not value.isprintable():
        raise InvalidField(field, "must not contain control or invisible characters")


@dataclass(frozen=True, slots=True)
class WeChatIdentity:
    """Who WeChat says the holder of a login code is: an openid of 1..128 characters and a
    unionid of at most 128 (empty when WeChat gave none), both printable (no control, format
    or separator characters). The session key is never kept."""

    openid: str
    unionid: str = ""

    def __post_init__(self) -> None:
        _check_wechat_id("openid", self.openid, shortest=1)
        _check_wechat_id("unionid", self.unionid, shortest=0)
