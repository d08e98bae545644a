"""The console's lists of what happened: the identity conflicts waiting for an operator (with
link and dismiss), WeChat's push events, and the audit trail, newest first a page at a time."""

from datetime import datetime
from typing import Any, Final
from urllib.parse import urlencode

from litestar import Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from bai.domain.use_cases.conflict_actions import (
    DismissConflict,
    LinkConflict,
    ListConflicts,
    ListConflictsCommand,
)
from bai.domain.use_cases.operator_accounts import AuditLog
from bai.domain.use_cases.push_events import ListPushEvents
from bai.domain.user_query import PageSize, recorded_before

from .site import AnyRequest, Site, Visit, see_other

PAGE: Final = 50


def keyset(text: str) -> tuple[datetime, str]:
    """A page's position, `<ISO time>~<id>` (what `next_page` links carry); `InvalidField`
    for anything else."""
    at, _, key = text.partition("~")
    return recorded_before(at, key)


def _next(rows: list[Any], at: str, **kept: str) -> str:
    """The link to the page after `rows` (a full page), keeping the page's other fields."""
    if len(rows) < PAGE:
        return ""
    last = rows[-1]
    position = f"{getattr(last, at).isoformat()}~{last.id}"
    return "?" + urlencode({**{k: v for k, v in kept.items() if v}, "before": position})


def record_routes(
    site: Site,
    *,
    conflicts: ListConflicts,
    link: LinkConflict,
    dismiss: DismissConflict,
    events: ListPushEvents,
    audit: AuditLog,
) -> list[HTTPRouteHandler]:
    async def conflicts_page(visit: Visit, status: int = 200, refusal: str = "") -> Response[Any]:
        listed = await conflicts.execute(ListConflictsCommand(page_size=PageSize(PAGE)))
        shown: dict[str, Any] = {
            "conflicts": listed.conflicts,
            "more": listed.more,
        }
        return site.page(visit, "conflicts.html", status, refusal=refusal, **shown)

    @get("/conflicts", include_in_schema=False)
    async def conflicts_list(request: AnyRequest) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        return await conflicts_page(visit)

    @post("/conflicts/{conflict_id:str}/{action:str}", include_in_schema=False, status_code=303)
    async def settle(
        request: AnyRequest, conflict_id: FromPath[str], action: FromPath[str]
    ) -> Response[Any]:
        visit = await site.acting(request, action, {"link", "dismiss"})
        if not isinstance(visit, Visit):
            return visit
        if action == "dismiss":
            await dismiss.execute(conflict_id)
            await audit.record(visit.actor, "identities.dismiss", conflict_id)
        else:
            conflict, _ = await link.execute(conflict_id)
            detail = f"app={conflict.appid} from={conflict.pb_id}"
            await audit.record(visit.actor, "identities.link", conflict.other_pb_id, detail)
        return see_other("/conflicts")

    @get("/events", include_in_schema=False)
    async def events_list(request: AnyRequest) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        found = await events.execute(limit=PAGE, before=_before(request))
        return site.page(
            visit, "events.html", events=found, next_page=_next(found, "received"), refusal=""
        )

    @get("/audit", include_in_schema=False)
    async def audit_list(request: AnyRequest) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        target = str(request.query_params.get("target", "")).strip()[:254]
        if not target.isprintable():  # no stored target holds a control character
            target = ""
        found = await audit.recent(limit=PAGE, target=target, before=_before(request))
        shown: dict[str, Any] = {"entries": found, "next_page": _next(found, "at", target=target)}
        return site.page(visit, "audit.html", target=target, refusal="", **shown)

    return [conflicts_list, settle, events_list, audit_list]


def _before(request: AnyRequest) -> tuple[datetime, str] | None:
    text = str(request.query_params.get("before", ""))[:128]
    return keyset(text) if text else None
