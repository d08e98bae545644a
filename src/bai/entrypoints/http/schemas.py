"""Request and response bodies, named as in the contract's `components.schemas`."""

from typing import Any, Final

import msgspec

OK: Final = "操作成功"


class WechatLoginRequest(msgspec.Struct):
    users_wx_code: str


class WechatProfileRequest(msgspec.Struct):
    users_name: str
    users_phone_code: str
    users_picture: str


class SystemRefreshTokenRequest(msgspec.Struct):
    users_wx_code: str | None = None


class UserInfo(msgspec.Struct):
    pb_id: str
    users_convers_id: str
    users_id: str
    users_idtype: str
    users_id_number: str
    users_type: str
    users_name: str
    users_status: str
    users_rank_level: int
    users_auth_type: int
    users_phone: str
    users_phone_masked: str
    users_level: str
    users_picture: str
    openid: str
    company_id: str
    users_parent_id: str
    users_promo_code: str
    usergroups_id: str
    company: dict[str, Any] | None
    created: str
    updated: str


class AuthSuccessData(msgspec.Struct):
    status: str
    is_info_complete: bool
    user: UserInfo


class AuthSuccessResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: AuthSuccessData
    token: str


class WechatProfileResponseData(msgspec.Struct):
    status: str
    user: UserInfo


class WechatProfileResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: WechatProfileResponseData


class RefreshTokenResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: dict[str, Any] = msgspec.field(default_factory=dict)
    token: str


class UsersCountData(msgspec.Struct):
    total_users: int


class UsersCountResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: UsersCountData


class HealthData(msgspec.Struct):
    status: str
    database: str


class HealthResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: HealthData


class LiveData(msgspec.Struct):
    status: str


class LiveResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: LiveData


class LogoutData(msgspec.Struct):
    ended: str  # "this": the token's session; "all": every session of the user


class LogoutResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: LogoutData


class SessionInfo(msgspec.Struct):
    id: str
    app: str
    created: str
    renewed: str
    user_agent: str
    current: bool  # the caller's own


class SessionsData(msgspec.Struct):
    sessions: list[SessionInfo]  # open ones, newest first


class SessionsResponse(msgspec.Struct, kw_only=True):
    code: int = 200
    msg: str = OK
    data: SessionsData


class ErrorResponse(msgspec.Struct):
    code: int
    msg: str
    data: dict[str, Any]
