"""Auth events: one log line each, and the user id for the request's access-log line."""

import logging
from typing import Any

from litestar import Request

from bai.domain.entities import User

auth_log = logging.getLogger("bai.auth")


def auth_event(request: Request[Any, Any, Any], event: str, user: User) -> None:
    state = request.scope.setdefault("state", {})
    state["user_id"] = user.pb_id
    auth_log.info(event, extra={"event": event, "user_id": user.pb_id, **_where(request)})


def auth_refused(request: Request[Any, Any, Any], reason: str) -> None:
    auth_log.info("refused", extra={"event": "refused", "reason": reason, **_where(request)})


def _where(request: Request[Any, Any, Any]) -> dict[str, str]:
    state = request.scope.get("state", {})
    return {
        "route": request.scope["path"],
        "request_id": state.get("request_id", ""),
        "client": state.get("client", ""),
    }
