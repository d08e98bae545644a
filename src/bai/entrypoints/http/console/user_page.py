"""A user's page (profile with the phone masked, identities per app, open sessions, last
sign-ins, the WeChat events about them) and what an admin does to them: disable, enable, end
sessions, delete, each confirmed on a page of its own (no script needed) and recorded in the
audit trail as `bai users ...` records it, naming the operator and their address."""

from dataclasses import dataclass
from typing import Any, Final

from litestar import Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from bai.domain.entities import is_record_id
from bai.domain.errors import UserNotFound
from bai.domain.use_cases.account_actions import AccountAction
from bai.domain.use_cases.console_reads import ShowUserRecord
from bai.domain.use_cases.operator_accounts import AuditLog
from bai.domain.values import masked_phone

from .site import VIEWER, AnyRequest, Site, Visit, refused, see_other


@dataclass(frozen=True, slots=True)
class Action:
    label: str  # the button
    done: str  # said once done
    means: str  # what the confirmation page says it does


ACTIONS: Final = {
    "disable": Action(
        "禁用", "已禁用", "该用户的所有令牌立即失效(401),登录也被拒绝,直到重新启用。"
    ),
    "enable": Action("启用", "已启用", "该用户可以重新登录(禁用时已结束的会话不会恢复)。"),
    "revoke": Action(
        "结束全部会话", "已结束全部会话", "该用户所有设备上的令牌立即失效(401),需要重新登录。"
    ),
    "delete": Action(
        "删除", "已删除", "删除该用户及其会话;其令牌立即失效,之后同一微信可重新注册。"
    ),
}


def user_routes(
    site: Site,
    show: ShowUserRecord,
    actions: dict[str, AccountAction],
    audit: AuditLog,
) -> list[HTTPRouteHandler]:
    @get("/users/{pb_id:str}", include_in_schema=False)
    async def user(request: AnyRequest, pb_id: FromPath[str]) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        record = await show.execute(_record_id(pb_id))
        done = ACTIONS[str(request.query_params.get("done"))].done if _done(request) else ""
        return site.page(
            visit,
            "user.html",
            record=record,
            phone=masked_phone(record.user.users_phone),
            actions=ACTIONS,
            done=done,
        )

    @get("/users/{pb_id:str}/confirm/{action:str}", include_in_schema=False)
    async def confirm(
        request: AnyRequest, pb_id: FromPath[str], action: FromPath[str]
    ) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        if action not in ACTIONS.keys() & actions.keys():
            return refused(404, "no such action")
        if not visit.may_act:
            return refused(403, VIEWER)
        record = await show.execute(_record_id(pb_id))
        return site.page(
            visit,
            "confirm.html",
            user=record.user,
            phone=masked_phone(record.user.users_phone),
            action=action,
            does=ACTIONS[action],
        )

    @post("/users/{pb_id:str}/{action:str}", include_in_schema=False, status_code=303)
    async def act(
        request: AnyRequest, pb_id: FromPath[str], action: FromPath[str]
    ) -> Response[Any]:
        visit = await site.acting(request, action, ACTIONS.keys() & actions.keys())
        if not isinstance(visit, Visit):
            return visit
        await actions[action].execute(_record_id(pb_id))
        await audit.record(visit.actor, f"users.{action}", pb_id)
        if action == "delete":
            return see_other("/users?done=delete")
        return see_other(f"/users/{pb_id}?done={action}")

    return [user, confirm, act]


def _done(request: AnyRequest) -> bool:
    return str(request.query_params.get("done")) in ACTIONS


def _record_id(text: str) -> str:
    """`text` when it can be a user's `pb_id`; `UserNotFound` for anything else, before any
    store is asked (a NUL is an error on PostgreSQL, not a miss)."""
    if not is_record_id(text):
        raise UserNotFound
    return text
