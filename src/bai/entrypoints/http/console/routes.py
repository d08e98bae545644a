"""The operator console, `/pb/console/` (SPEC "The operator console"): server-rendered pages for
the addresses in `BAI_CONSOLE_ALLOW` (everyone else gets 404), behind an operator's sign-in.

Every page is answered with the headers of a careful admin page (a Content-Security-Policy that
allows this origin's files alone and no inline script, no framing, no referrer, no caching);
every form carries a CSRF token bound to the session (the sign-in form: to a cookie of its own),
and a POST without it is 403 before anything is read. A viewer's page shows no action, and an
action a viewer posts anyway is 403. The pages call the CLI's use cases: no second path to the
data; what an operator changes is recorded in the audit trail as the CLI's commands are."""

from dataclasses import dataclass
from typing import Any

from litestar import Response, Router, get, post
from litestar.static_files import create_static_files_router

from bai.domain.use_cases.account_actions import AccountAction
from bai.domain.use_cases.conflict_actions import (
    DismissConflict,
    LinkConflict,
    ListConflicts,
)
from bai.domain.use_cases.console_reads import ShowOverview, ShowUserRecord
from bai.domain.use_cases.list_users import ListUsers
from bai.domain.use_cases.operator_accounts import AuditLog, OperatorAccounts, OperatorSignIn
from bai.domain.use_cases.push_events import ListPushEvents
from bai.entrypoints.config.variables import IPNetwork
from bai.ports.clock import Clock

from ..client_address import limit_key
from .cookies import ConsoleCookies
from .overview import chart
from .records import record_routes
from .refusals import refusal_pages
from .site import CONSOLE, FORBIDDEN, FORM, SESSION, STATIC, AnyRequest, Site, refused, see_other
from .user_page import user_routes
from .users import users_page


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleCases:
    """What the console's pages call: the CLI's use cases, no second path to the data."""

    sign_in: OperatorSignIn
    accounts: OperatorAccounts
    show_overview: ShowOverview
    list_users: ListUsers
    show_user_record: ShowUserRecord
    account_actions: dict[str, AccountAction]  # disable, enable, revoke, delete
    list_conflicts: ListConflicts
    link_conflict: LinkConflict
    dismiss_conflict: DismissConflict
    list_push_events: ListPushEvents
    audit_log: AuditLog
    apps: tuple[str, ...]  # the mini-programs, for the users' search


def console_router(
    cases: ConsoleCases,
    *,
    allowed: tuple[IPNetwork, ...],
    cookies: ConsoleCookies,
    clock: Clock,
    secure: bool,
) -> Router:
    site = Site(
        accounts=cases.accounts, allowed=allowed, cookies=cookies, clock=clock, secure=secure
    )

    @get("/sign-in", include_in_schema=False)
    async def sign_in_form(request: AnyRequest) -> Response[Any]:
        site.client(request)
        cookie, token = site.form_cookie()
        shown = site.page(
            None,
            "sign_in.html",
            csrf=token,
            email="",
            refusal="",
            operators_exist=await cases.accounts.any(),
        )
        site.keep(shown, FORM, cookie)
        return shown

    @post("/sign-in", include_in_schema=False, status_code=303)
    async def sign_in(request: AnyRequest) -> Response[Any]:
        client = site.client(request)
        form = await request.form()
        if not site.form_holds(request, form, None):
            return refused(403, FORBIDDEN)
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        request.scope["state"]["console_email"] = email[:254]  # shown again if refused
        operator = await cases.sign_in.execute(
            email, password, address=client, counted_as=limit_key(client)
        )
        return site.begin(operator)

    @post("/sign-out", include_in_schema=False, status_code=303)
    async def sign_out(request: AnyRequest) -> Response[Any]:
        visit = await site.visit(request)
        if visit is not None and not site.form_holds(request, await request.form(), visit):
            return refused(403, FORBIDDEN)
        response = see_other("/sign-in")
        response.delete_cookie(SESSION, path=CONSOLE)
        return response

    @get("/", include_in_schema=False)
    async def overview(request: AnyRequest) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        figures = await cases.show_overview.execute()
        return site.page(visit, "overview.html", figures=figures, chart=chart(figures))

    @get("/users", include_in_schema=False)
    async def users(request: AnyRequest) -> Response[Any]:
        visit = await site.visit(request)
        if visit is None:
            return see_other("/sign-in")
        shown = await users_page(cases.list_users, cases.apps, request.query_params)
        done = "已删除" if request.query_params.get("done") == "delete" else ""
        return site.page(visit, "users.html", done=done, **shown)

    static = create_static_files_router(
        path="/static", directories=[STATIC], include_in_schema=False
    )
    return Router(
        path=CONSOLE,
        exception_handlers=refusal_pages(site, cases.apps),  # type: ignore[arg-type]
        route_handlers=[
            sign_in_form,
            sign_in,
            sign_out,
            overview,
            users,
            *user_routes(site, cases.show_user_record, cases.account_actions, cases.audit_log),
            *record_routes(
                site,
                conflicts=cases.list_conflicts,
                link=cases.link_conflict,
                dismiss=cases.dismiss_conflict,
                events=cases.list_push_events,
                audit=cases.audit_log,
            ),
            static,
        ],
    )
