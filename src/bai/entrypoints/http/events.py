"""Auth events: what a request did to an account, carried on its one access-log line."""

from typing import Any

from litestar import Request

from bai.domain.auth_events import AuthEvent
from bai.domain.entities import User


def auth_event(request: Request[Any, Any, Any], event: AuthEvent, user: User) -> None:
    state = request.scope.setdefault("state", {})
    state["event"], state["user_id"] = event, user.pb_id


def auth_refused(request: Request[Any, Any, Any], reason: str) -> None:
    state = request.scope.setdefault("state", {})
    state["event"], state["reason"] = AuthEvent.REFUSED, reason
