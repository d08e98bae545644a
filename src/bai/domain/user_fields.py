"""The fields every store keeps for a user, declared once: the `User` entity's own, less the
record's id, key and times (each store names those its own way: PocketBase's `id` and
`tokenKey`) and the company it joins. Adapters derive their field lists from here; tests hold
the lists that cannot import it (SQL tables, PocketBase's hook and migration, the contract's
`UserInfo`) to it."""

import typing
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Final

from bai.domain.entities import User


class FieldKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # text from an enumeration; a store's empty text means its default
    NUMBER = "number"  # a whole number


@dataclass(frozen=True, slots=True)
class UserField:
    name: str
    kind: FieldKind
    default: str | int


RECORD_FIELDS: Final = ("pb_id", "token_key", "created", "updated")
JOINED_FIELDS: Final = ("company",)
HIDDEN_FIELDS: Final = frozenset({"token_key", "unionid"})  # in no response
# Unique among the users that have one (an empty value is none).
UNIQUE_FIELDS: Final = ("openid", "users_phone", "users_id", "users_promo_code", "unionid")


def _declared(name: str, kind: type, default: object) -> UserField:
    if isinstance(kind, type) and issubclass(kind, StrEnum) and isinstance(default, StrEnum):
        return UserField(name, FieldKind.CHOICE, default.value)
    if kind is int and isinstance(default, int):
        return UserField(name, FieldKind.NUMBER, default)
    if kind is str and isinstance(default, str):
        return UserField(name, FieldKind.TEXT, default)
    raise TypeError(f"User.{name}: a stored field is text, a whole number or a choice")


_TYPES = typing.get_type_hints(User)
USER_FIELDS: Final = tuple(
    _declared(field.name, _TYPES[field.name], field.default)
    for field in fields(User)
    if field.name not in RECORD_FIELDS + JOINED_FIELDS
)


def named(kind: FieldKind) -> tuple[str, ...]:
    return tuple(field.name for field in USER_FIELDS if field.kind is kind)
