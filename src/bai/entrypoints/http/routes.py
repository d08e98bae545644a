"""Handlers only translate: body -> command -> `execute` -> response."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Router
from litestar.params import JSONBody

from bai.adapters.prometheus.metrics import PrometheusMetrics
from bai.domain.auth_events import AuthEvent
from bai.domain.use_cases.check_readiness import CheckReadiness
from bai.domain.use_cases.complete_profile import CompleteProfile, ProfileCommand
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.login_or_register import LoginCommand, LoginOrRegister
from bai.domain.use_cases.push_events import ApplyPushEvent
from bai.domain.use_cases.refresh_token import RefreshCommand, RefreshToken
from bai.domain.use_cases.sign_out import ListSessions, Logout, LogoutAll
from bai.domain.values import AvatarUrl, LoginCode, Nickname, PhoneCode
from bai.ports.clock import Clock

from .authorization import bearer_token
from .events import auth_event
from .mini_program import named_app
from .openapi_parts import BEARER, errors
from .presenters import UserPresenter
from .push_routes import PushApp, push_handlers
from .request import header_text
from .route_table import (
    API_PREFIX,
    HEALTH,
    HEALTH_LIVE,
    LOGIN,
    PROFILE,
    REFRESH_TOKEN,
    USERS_COUNT,
    checked,
    serves,
)
from .schemas import (
    AuthSuccessData,
    AuthSuccessResponse,
    HealthData,
    HealthResponse,
    LiveData,
    LiveResponse,
    RefreshTokenResponse,
    SystemRefreshTokenRequest,
    UsersCountData,
    UsersCountResponse,
    WechatLoginRequest,
    WechatProfileRequest,
    WechatProfileResponse,
    WechatProfileResponseData,
)
from .session_routes import session_handlers


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutedUseCases:
    """What the handlers call, built once before the router: each use case by its name in
    `UseCases` (entrypoints/use_cases.py), so a new one is a field here and a provider there."""

    login_or_register: LoginOrRegister
    complete_profile: CompleteProfile
    refresh_token: RefreshToken
    count_users: CountUsers
    check_readiness: CheckReadiness
    logout: Logout
    logout_all: LogoutAll
    list_sessions: ListSessions
    apply_push_event: ApplyPushEvent
    present_user: UserPresenter = field(default_factory=UserPresenter)


def api_router(
    use_cases: RoutedUseCases,
    *,
    push: Mapping[str, PushApp],
    metrics: PrometheusMetrics,
    clock: Clock,
) -> Router:
    """The API's routes. Handlers close over the use cases they are given, rather than taking
    them through Litestar's dependency injection, which resolves two or more dependencies in a
    task group per request. `push`: the apps whose push events are received."""
    login_or_register, complete_profile = use_cases.login_or_register, use_cases.complete_profile
    refresh_token_case, present_user = use_cases.refresh_token, use_cases.present_user
    count_users, check_readiness = use_cases.count_users, use_cases.check_readiness

    @serves(
        LOGIN,
        operation_id="postWechatLogin",
        summary="微信登录或首次注册",
        tags=["微信认证"],
        status_code=200,
        security=[],
        responses=errors(400, 401, 415, 429, 500),
    )
    async def wechat_login(
        request: Request[Any, Any, Any],
        data: JSONBody[WechatLoginRequest],
    ) -> AuthSuccessResponse:
        headers = request.headers
        command = LoginCommand(
            code=LoginCode(data.users_wx_code),
            app=named_app(headers.get("referer")),
            user_agent=header_text(headers.get("user-agent")),
            token=bearer_token(headers.get("authorization")),
        )
        result = await login_or_register.execute(command)
        event = AuthEvent.REGISTERED if result.registered else AuthEvent.LOGGED_IN
        auth_event(request, event, result.user)
        status = "register_success" if result.registered else "login_success"
        user = present_user(result.user, openid=result.openid)
        payload = AuthSuccessData(
            status=status, is_info_complete=result.user.is_info_complete, user=user
        )
        return AuthSuccessResponse(data=payload, token=result.token)

    @serves(
        PROFILE,
        operation_id="postWechatProfile",
        summary="更新微信用户资料",
        tags=["微信认证"],
        status_code=200,
        security=BEARER,
        responses=errors(400, 401, 415, 429, 500),
    )
    async def wechat_profile(
        request: Request[Any, Any, Any],
        data: JSONBody[WechatProfileRequest],
    ) -> WechatProfileResponse:
        command = ProfileCommand(
            token=bearer_token(request.headers.get("authorization")),
            name=Nickname(data.users_name),
            phone_code=PhoneCode(data.users_phone_code),
            picture=AvatarUrl(data.users_picture),
            app=named_app(request.headers.get("referer")),
        )
        saved = await complete_profile.execute(command)
        auth_event(request, AuthEvent.PROFILE_UPDATED, saved.user)
        user = present_user(saved.user, openid=saved.openid)
        return WechatProfileResponse(
            data=WechatProfileResponseData(status="update_success", user=user)
        )

    @serves(
        REFRESH_TOKEN,
        operation_id="postSystemRefreshToken",
        summary="刷新认证 token",
        tags=["系统"],
        status_code=200,
        security=[*BEARER, {}],
        responses=errors(400, 401, 404, 415, 429, 500),
    )
    async def refresh_token(
        request: Request[Any, Any, Any],
        data: JSONBody[SystemRefreshTokenRequest | None] = None,
    ) -> RefreshTokenResponse:
        code = data.users_wx_code if data is not None else None
        command = RefreshCommand(
            token=bearer_token(request.headers.get("authorization")),
            code=LoginCode.optional(code),
            app=named_app(request.headers.get("referer")),
            user_agent=header_text(request.headers.get("user-agent")),
        )
        renewal = await refresh_token_case.execute(command)
        auth_event(request, AuthEvent.REFRESHED, renewal.user)
        return RefreshTokenResponse(token=renewal.token)

    @serves(
        USERS_COUNT,
        operation_id="postSystemUsersCount",
        summary="查询用户总数",
        tags=["系统"],
        status_code=200,
        security=[],
        responses=errors(400, 429, 500),
    )
    async def users_count() -> UsersCountResponse:
        total = await count_users.execute()
        return UsersCountResponse(data=UsersCountData(total_users=total))

    @serves(
        HEALTH,
        operation_id="getHealth",
        summary="存活与就绪检查",
        tags=["系统"],
        security=[],
        responses=errors(429, 500),
    )
    async def health() -> HealthResponse:
        await check_readiness.execute()
        return HealthResponse(data=HealthData(status="ok", database="ok"))

    @serves(
        HEALTH_LIVE,
        operation_id="getHealthLive",
        summary="存活检查(不访问数据库与微信)",
        tags=["系统"],
        security=[],
        responses=errors(429),
    )
    async def health_live() -> LiveResponse:
        """Liveness: the process answers. Touches neither the database nor WeChat, so a probe
        does not restart a worker during a database blip (readiness is `/health`)."""
        return LiveResponse(data=LiveData(status="ok"))

    handlers = [wechat_login, wechat_profile, refresh_token, users_count, health, health_live]
    handlers += session_handlers(use_cases.logout, use_cases.logout_all, use_cases.list_sessions)
    handlers += push_handlers(use_cases.apply_push_event, push, metrics, clock)
    return Router(path=API_PREFIX, route_handlers=checked(handlers))
