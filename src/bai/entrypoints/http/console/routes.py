"""The operator console, `/pb/console/` (SPEC "The operator console"): server-rendered pages for
the addresses in `BAI_CONSOLE_ALLOW` (everyone else gets 404), behind an operator's sign-in.

Every page is answered with the headers of a careful admin page (a Content-Security-Policy that
allows this origin's files alone and no inline script, no framing, no referrer, no caching);
every form carries a CSRF token bound to the session (the sign-in form: to a cookie of its own),
and a POST without it is 403 before anything is read."""

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from bai.domain.errors import OperatorLocked, OperatorSignInRefused
from bai.domain.operators import Operator
from bai.domain.use_cases.count_users import CountUsers
from bai.domain.use_cases.identity_actions import ListConflicts, ListConflictsCommand
from bai.domain.use_cases.list_users import ListUsers
from bai.domain.use_cases.operator_accounts import OperatorAccounts, OperatorSignIn
from bai.domain.use_cases.push_events import ListPushEvents
from bai.entrypoints.config.variables import IPNetwork
from bai.ports.clock import Clock

from ..client_address import within
from ..metrics import judged_client
from .cookies import ConsoleCookies, ConsoleSession
from .users import users_page

CONSOLE: Final = "/pb/console"
TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
SESSION: Final = "bai_console"
FORM: Final = "bai_console_form"  # the sign-in form's own CSRF cookie
PAGE_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self';"
    " img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self';"
    " frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class Forbidden(Exception):
    """A POST without its form's token."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsoleCases:
    """What the console's pages call: the CLI's use cases, no second path to the data."""

    sign_in: OperatorSignIn
    accounts: OperatorAccounts
    count_users: CountUsers
    list_conflicts: ListConflicts
    list_push_events: ListPushEvents
    list_users: ListUsers
    apps: tuple[str, ...]  # the mini-programs, for the users' search


def console_router(
    cases: ConsoleCases,
    *,
    allowed: tuple[IPNetwork, ...],
    cookies: ConsoleCookies,
    clock: Clock,
    secure: bool,
) -> Router:
    def guard(request: Request[Any, Any, Any]) -> str:
        return _allowed_client(request, allowed)

    def page(
        request: Request[Any, Any, Any], name: str, status: int = 200, **shown: Any
    ) -> Template:
        return _page(cookies, request, name, status, **shown)

    async def signed_in(request: Request[Any, Any, Any]) -> Operator | None:
        """The operator of the request's session while it holds and they are unchanged (for
        an allowed address: others get 404)."""
        guard(request)
        session = cookies.read(request.cookies.get(SESSION), now=clock.now())
        if session is None:
            return None
        operator = await cases.accounts.find(session.email)
        if operator is None or operator.updated.timestamp() != session.operator_updated:
            return None
        return operator

    def checked_form(request: Request[Any, Any, Any], form: Any, cookie_name: str) -> None:
        token = form.get("csrf") if hasattr(form, "get") else None
        cookie = request.cookies.get(cookie_name, "")
        if not cookie or not cookies.csrf_holds(cookie, token if isinstance(token, str) else None):
            raise Forbidden

    @get("/sign-in", include_in_schema=False)
    async def sign_in_form(request: Request[Any, Any, Any]) -> Response[Any]:
        guard(request)
        form_cookie = secrets.token_urlsafe(24)
        shown = page(
            request,
            "sign_in.html",
            csrf=cookies.csrf(form_cookie),
            email="",
            refusal="",
            operators_exist=await cases.accounts.any(),
        )
        _keep(shown, FORM, form_cookie, secure=secure)
        return shown

    @post("/sign-in", include_in_schema=False, status_code=303)
    async def sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
        client = guard(request)
        form = await request.form()
        try:
            checked_form(request, form, FORM)
        except Forbidden:
            return Response("forbidden", status_code=403, headers=PAGE_HEADERS)
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        try:
            operator = await cases.sign_in.execute(email, password, address=client)
        except (OperatorSignInRefused, OperatorLocked) as refused:
            status = 429 if isinstance(refused, OperatorLocked) else 401
            form_cookie = request.cookies.get(FORM, "")
            return page(
                request,
                "sign_in.html",
                status,
                csrf=cookies.csrf(form_cookie),
                email=email[:254],
                refusal=refused.message,
                operators_exist=True,
            )
        return _session_begun(cookies, operator, clock, secure=secure)

    @post("/sign-out", include_in_schema=False, status_code=303)
    async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
        guard(request)
        try:
            checked_form(request, await request.form(), SESSION)
        except Forbidden:
            return Response("forbidden", status_code=403, headers=PAGE_HEADERS)
        response = Redirect(f"{CONSOLE}/sign-in", status_code=303, headers=PAGE_HEADERS)
        response.delete_cookie(SESSION, path=CONSOLE)
        return response

    @get("/", include_in_schema=False)
    async def overview(request: Request[Any, Any, Any]) -> Response[Any]:
        operator = await signed_in(request)
        if operator is None:
            return _sign_in_first()
        conflicts = await cases.list_conflicts.execute(ListConflictsCommand())
        return page(
            request,
            "overview.html",
            operator=operator,
            users=await cases.count_users.execute(),
            conflicts=len(conflicts.conflicts),
            events=await cases.list_push_events.execute(limit=10),
        )

    @get("/users", include_in_schema=False)
    async def users(request: Request[Any, Any, Any]) -> Response[Any]:
        operator = await signed_in(request)
        if operator is None:
            return _sign_in_first()
        shown = await users_page(cases.list_users, cases.apps, request.query_params)
        status = 400 if shown["refusal"] else 200
        return page(request, "users.html", status, operator=operator, **shown)

    static = create_static_files_router(
        path="/static", directories=[STATIC], include_in_schema=False
    )
    return Router(
        path=CONSOLE, route_handlers=[sign_in_form, sign_in, sign_out, overview, users, static]
    )


def _page(
    cookies: ConsoleCookies, request: Request[Any, Any, Any], name: str, status: int, **shown: Any
) -> Template:
    """A page, with what every page shows (the console's path; the session's form token)."""
    cookie = request.cookies.get(SESSION, "")
    context = {"console": CONSOLE, "csrf": cookies.csrf(cookie) if cookie else "", **shown}
    return Template(name, context=context, status_code=status, headers=PAGE_HEADERS)


def _keep(response: Response[Any], name: str, value: str, *, secure: bool) -> None:
    """A console cookie: the console's alone, never read by a script or sent from another site."""
    response.set_cookie(name, value, path=CONSOLE, httponly=True, samesite="strict", secure=secure)


def _allowed_client(request: Request[Any, Any, Any], allowed: tuple[IPNetwork, ...]) -> str:
    """The client, when `BAI_CONSOLE_ALLOW` holds it; else the 404 of a path that is not there."""
    client = judged_client(request.scope)
    if client is None or not within(client, allowed):
        raise NotFoundException
    return client


def _sign_in_first() -> Response[Any]:
    return Redirect(f"{CONSOLE}/sign-in", status_code=303, headers=PAGE_HEADERS)


def _session_begun(
    cookies: ConsoleCookies, operator: Operator, clock: Clock, *, secure: bool
) -> Response[Any]:
    """The overview, with the session's cookie in place of the sign-in form's."""
    now = clock.now().timestamp()
    session = ConsoleSession(operator.email, operator.updated.timestamp(), now, now)
    response = Redirect(f"{CONSOLE}/", status_code=303, headers=PAGE_HEADERS)
    _keep(response, SESSION, cookies.issue(session), secure=secure)
    response.delete_cookie(FORM, path=CONSOLE)
    return response
