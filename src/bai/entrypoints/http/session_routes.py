"""BAI's own session routes, beyond the client's contract: sign out of this session or all, and
the list of one's open sessions (SPEC "Sessions and sign-out")."""

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.handlers import HTTPRouteHandler

from bai.adapters.pocketbase.records import pocketbase_time
from bai.domain.use_cases.sign_out import Ended, ListSessions, Logout, LogoutAll

from .authorization import bearer_token
from .openapi_parts import BEARER, errors
from .route_table import LOGOUT, LOGOUT_ALL, SESSIONS, Route, serves
from .schemas import LogoutData, LogoutResponse, SessionInfo, SessionsData, SessionsResponse


def _token(request: Request[Any, Any, Any]) -> str | None:
    return bearer_token(request.headers.get("authorization"))


def _ended(ended: Ended) -> LogoutResponse:
    return LogoutResponse(data=LogoutData(ended=ended.value))


def _session_route(
    declared: Route, operation_id: str, summary: str
) -> Callable[[Callable[..., Any]], HTTPRouteHandler]:
    return serves(
        declared,
        operation_id=operation_id,
        summary=summary,
        tags=["会话"],
        status_code=200,
        security=BEARER,
        responses=errors(401, 429, 500),
    )


def session_handlers(
    logout_case: Logout, logout_all_case: LogoutAll, list_sessions: ListSessions
) -> list[HTTPRouteHandler]:
    @_session_route(LOGOUT, "postWechatLogout", "退出当前会话(无会话的 token:退出全部)")
    async def logout(request: Request[Any, Any, Any]) -> LogoutResponse:
        return _ended(await logout_case.execute(_token(request)))

    @_session_route(LOGOUT_ALL, "postWechatLogoutAll", "退出全部会话")
    async def logout_all(request: Request[Any, Any, Any]) -> LogoutResponse:
        return _ended(await logout_all_case.execute(_token(request)))

    @_session_route(SESSIONS, "getWechatSessions", "当前用户的登录会话")
    async def sessions(request: Request[Any, Any, Any]) -> SessionsResponse:
        found = await list_sessions.execute(_token(request))
        listed = [
            SessionInfo(
                id=session.id,
                app=session.app,
                created=pocketbase_time(session.created),
                renewed=pocketbase_time(session.renewed),
                user_agent=session.user_agent,
                current=session.id == found.current,
            )
            for session in found.sessions
        ]
        return SessionsResponse(data=SessionsData(sessions=listed))

    return [logout, logout_all, sessions]
