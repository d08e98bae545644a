"""Handlers only translate: body -> command -> `execute` -> response."""

from typing import Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from bai.domain.use_cases.check_readiness import CheckReadiness
from bai.domain.use_cases.complete_profile import CompleteProfile, ProfileCommand
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.login_or_register import LoginCommand, LoginOrRegister
from bai.domain.use_cases.refresh_token import RefreshCommand, RefreshToken
from bai.domain.values import AvatarUrl, LoginCode, Nickname, PhoneCode

from .events import auth_event
from .presenters import UserPresenter
from .request import bearer_token
from .schemas import (
    AuthSuccessData,
    AuthSuccessResponse,
    ErrorResponse,
    HealthData,
    HealthResponse,
    RefreshTokenResponse,
    SystemRefreshTokenRequest,
    UsersCountData,
    UsersCountResponse,
    WechatLoginRequest,
    WechatProfileRequest,
    WechatProfileResponse,
    WechatProfileResponseData,
)

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _errors(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(data_container=ErrorResponse, description="错误")
        for status in statuses
    }


@post(
    "/wechat/login",
    operation_id="postWechatLogin",
    summary="微信登录或首次注册",
    tags=["微信认证"],
    status_code=200,
    security=[],
    responses=_errors(400, 401, 415, 429, 500),
)
async def wechat_login(
    request: Request[Any, Any, Any],
    data: JSONBody[WechatLoginRequest],
    login_or_register: NamedDependency[LoginOrRegister],
    present_user: NamedDependency[UserPresenter],
) -> AuthSuccessResponse:
    result = await login_or_register.execute(LoginCommand(code=LoginCode(data.users_wx_code)))
    auth_event(request, "registered" if result.registered else "logged_in", result.user)
    status = "register_success" if result.registered else "login_success"
    user = present_user(result.user)
    payload = AuthSuccessData(
        status=status, is_info_complete=result.user.is_info_complete, user=user
    )
    return AuthSuccessResponse(data=payload, token=result.token)


@post(
    "/wechat/profile",
    operation_id="postWechatProfile",
    summary="更新微信用户资料",
    tags=["微信认证"],
    status_code=200,
    security=BEARER,
    responses=_errors(400, 401, 415, 429, 500),
)
async def wechat_profile(
    request: Request[Any, Any, Any],
    data: JSONBody[WechatProfileRequest],
    complete_profile: NamedDependency[CompleteProfile],
    present_user: NamedDependency[UserPresenter],
) -> WechatProfileResponse:
    command = ProfileCommand(
        token=bearer_token(request.headers.get("authorization")),
        name=Nickname(data.users_name),
        phone_code=PhoneCode(data.users_phone_code),
        picture=AvatarUrl(data.users_picture),
    )
    user = await complete_profile.execute(command)
    auth_event(request, "profile_updated", user)
    return WechatProfileResponse(
        data=WechatProfileResponseData(status="update_success", user=present_user(user))
    )


@post(
    "/system/refresh-token",
    operation_id="postSystemRefreshToken",
    summary="刷新认证 token",
    tags=["系统"],
    status_code=200,
    security=[*BEARER, {}],
    responses=_errors(400, 401, 404, 415, 429, 500),
)
async def refresh_token(
    request: Request[Any, Any, Any],
    refresh: NamedDependency[RefreshToken],
    data: JSONBody[SystemRefreshTokenRequest | None] = None,
) -> RefreshTokenResponse:
    code = data.users_wx_code if data is not None else None
    command = RefreshCommand(
        token=bearer_token(request.headers.get("authorization")),
        code=LoginCode(code) if code else None,
    )
    renewal = await refresh.execute(command)
    auth_event(request, "refreshed", renewal.user)
    return RefreshTokenResponse(token=renewal.token)


@post(
    "/system/users-count",
    operation_id="postSystemUsersCount",
    summary="查询用户总数",
    tags=["系统"],
    status_code=200,
    security=[],
    responses=_errors(400, 429, 500),
)
async def users_count(count_users: NamedDependency[CountUsers]) -> UsersCountResponse:
    return UsersCountResponse(data=UsersCountData(total_users=await count_users.execute()))


@get(
    "/health",
    operation_id="getHealth",
    summary="存活与就绪检查",
    tags=["系统"],
    security=[],
    responses=_errors(500),
)
async def health(check_readiness: NamedDependency[CheckReadiness]) -> HealthResponse:
    await check_readiness.execute()
    return HealthResponse(data=HealthData(status="ok", database="ok"))


@get("/openapi.json", include_in_schema=False)
async def openapi_document(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return request.app.openapi_schema.to_schema()


api_router = Router(
    path="/pb/api",
    route_handlers=[
        wechat_login,
        wechat_profile,
        refresh_token,
        users_count,
        health,
        openapi_document,
    ],
)
