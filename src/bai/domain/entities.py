"""The user of `tbl_auth_users` and the company it may belong to."""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bai.domain.values import WeChatIdentity

_RECORD_ID = re.compile(r"[a-z0-9]{15}")
_TOKEN_KEY = re.compile(r"[A-Za-z0-9]{50}")
_COLLECTION_ID = re.compile(r"[A-Za-z0-9_]{1,100}")


def is_record_id(text: str) -> bool:
    """Whether `text` is a PocketBase record id (15 characters of a-z0-9). Anything else names
    no record, so it is never looked up."""
    return _RECORD_ID.fullmatch(text) is not None


def is_collection_id(text: str) -> bool:
    """Whether `text` is an id PocketBase gives a collection (1 to 100 characters of
    A-Za-z0-9_, as PocketBase itself checks)."""
    return _COLLECTION_ID.fullmatch(text) is not None


class UserStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class IdType(StrEnum):
    WECHAT = "WeChat"
    MANAGE_PLATFORM = "ManagePlatform"


@dataclass(frozen=True, slots=True, kw_only=True)
class Company:
    """A row of `tbl_company`; users point at it through its `company_id`."""

    pb_id: str
    company_id: str
    company_name: str = ""
    company_status: str = ""
    created: datetime
    updated: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class NewUserKeys:
    """The identifiers a new user is born with, all unique."""

    pb_id: str
    token_key: str
    users_id: str
    users_promo_code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """A user of `tbl_auth_users`. `token_key` and `unionid` are hidden from every response."""

    pb_id: str
    token_key: str
    created: datetime
    updated: datetime
    openid: str = ""
    unionid: str = ""
    users_id: str = ""
    users_idtype: IdType = IdType.WECHAT
    users_status: UserStatus = UserStatus.ACTIVE
    users_convers_id: str = ""
    users_id_number: str = ""
    users_type: str = ""
    users_name: str = ""
    users_rank_level: int = 0
    users_auth_type: int = 0
    users_phone: str = ""
    users_level: str = ""
    users_picture: str = ""
    company_id: str = ""
    users_parent_id: str = ""
    users_promo_code: str = ""
    usergroups_id: str = ""
    company: Company | None = None

    def __post_init__(self) -> None:
        if not is_record_id(self.pb_id):
            raise ValueError("pb_id must be 15 characters of a-z0-9")
        if not _TOKEN_KEY.fullmatch(self.token_key):
            raise ValueError("token_key must be 50 characters of a-zA-Z0-9")
        if self.created.tzinfo is None or self.updated.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")

    @classmethod
    def register(
        cls, identity: WeChatIdentity, *, keys: NewUserKeys, now: datetime, primary: bool = True
    ) -> "User":
        """A new WeChat user. `openid` is the primary app's (another app's stays with the
        user's identity in that app)."""
        return cls(
            pb_id=keys.pb_id,
            token_key=keys.token_key,
            users_id=keys.users_id,
            users_promo_code=keys.users_promo_code,
            openid=identity.openid if primary else "",
            unionid=identity.unionid,
            created=now,
            updated=now,
        )

    @property
    def is_disabled(self) -> bool:
        return self.users_status is UserStatus.DISABLED

    @property
    def is_info_complete(self) -> bool:
        return bool(self.users_name and self.users_phone and self.users_picture)

    def with_profile(self, *, name: str, phone: str, picture: str, at: datetime) -> "User":
        return replace(self, users_name=name, users_phone=phone, users_picture=picture, updated=at)
