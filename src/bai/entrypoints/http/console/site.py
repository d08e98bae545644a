"""What every console page shares: who may reach it (`BAI_CONSOLE_ALLOW`, else 404), the
operator signed in (their session cookie, renewed as they use it), the CSRF token of every form,
the roles' limits, and the headers of a careful admin page."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from bai.domain.operators import Operator, OperatorRole
from bai.domain.use_cases.operator_accounts import Actor, OperatorAccounts
from bai.entrypoints.config.variables import IPNetwork
from bai.ports.clock import Clock

from ..client_address import within
from ..metrics import judged_client
from .cookies import ConsoleCookies, ConsoleSession

CONSOLE: Final = "/pb/console"
TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
SESSION: Final = "bai_console"
FORM: Final = "bai_console_form"  # the sign-in form's own CSRF cookie
FORBIDDEN: Final = "forbidden: the form's token is missing or wrong"
VIEWER: Final = "forbidden: a viewer reads only"
VISIT: Final = "console_visit"  # where a request's visit is kept
RENEW_AFTER: Final = 60.0  # seconds: the idle clock restarts at most once a minute
PAGE_HEADERS: Final = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self';"
    " img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self';"
    " frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

AnyRequest = Request[Any, Any, Any]


@dataclass(frozen=True, slots=True)
class Visit:
    """A signed-in operator's request: who, from where, their forms' token, and the renewed
    session cookie to send back ("" when the one sent holds)."""

    operator: Operator
    client: str
    csrf: str
    renewed: str

    @property
    def actor(self) -> Actor:
        """Who the audit trail names for what this visit does."""
        return Actor(self.operator.email, self.client)

    @property
    def may_act(self) -> bool:
        return self.operator.role is OperatorRole.ADMIN


class Site:
    def __init__(
        self,
        *,
        accounts: OperatorAccounts,
        allowed: tuple[IPNetwork, ...],
        cookies: ConsoleCookies,
        clock: Clock,
        secure: bool,
    ) -> None:
        self._accounts, self._allowed, self.cookies = accounts, allowed, cookies
        self._clock, self._secure = clock, secure

    def client(self, request: AnyRequest) -> str:
        """The client, when `BAI_CONSOLE_ALLOW` holds it; else the 404 of a path not there."""
        client = judged_client(request.scope)
        if client is None or not within(client, self._allowed):
            raise NotFoundException
        return client

    async def visit(self, request: AnyRequest) -> Visit | None:
        """The operator of the request's session while it holds and they are unchanged (for
        an allowed address: others get 404)."""
        client = self.client(request)
        now = self._clock.now().timestamp()
        session = self.cookies.read(request.cookies.get(SESSION), now=self._clock.now())
        if session is None:
            return None
        operator = await self._accounts.find(session.email)
        if operator is None or operator.updated.timestamp() != session.operator_updated:
            return None
        renewed = ""
        if now - session.seen >= RENEW_AFTER:
            kept = ConsoleSession(session.email, session.operator_updated, session.began, now)
            renewed = self.cookies.issue(kept)
        visit = Visit(operator, client, self.cookies.session_csrf(session), renewed)
        request.scope["state"][VISIT] = visit  # for a refusal's page (`refusals.py`)
        return visit

    @staticmethod
    def kept_visit(request: AnyRequest) -> "Visit | None":
        """The visit `visit` found for this request, if it found one."""
        found = request.scope["state"].get(VISIT)
        return found if isinstance(found, Visit) else None

    async def acting(
        self, request: AnyRequest, action: str, known: Iterable[str]
    ) -> Visit | Response[Any]:
        """The visit of an admin posting `action` with their form's token; else its refusal:
        403 without the token or for a viewer, 404 for an action not in `known`."""
        visit = await self.visit(request)
        if visit is None or not self.form_holds(request, await request.form(), visit):
            return refused(403, FORBIDDEN)
        if action not in known:
            return refused(404, "no such action")
        if not visit.may_act:
            return refused(403, VIEWER)
        return visit

    def page(
        self, visit: Visit | None, name: str, status: int = 200, *, csrf: str = "", **shown: Any
    ) -> Template:
        """A page, with what every page shows (the console's path, the operator, their forms'
        token) and the session's cookie renewed when due."""
        context = {
            "console": CONSOLE,
            "operator": visit.operator if visit else None,
            "csrf": visit.csrf if visit else csrf,
            "time": shown_time,
            **shown,
        }
        template = Template(name, context=context, status_code=status, headers=PAGE_HEADERS)
        if visit is not None and visit.renewed:
            self.keep(template, SESSION, visit.renewed)
        return template

    def form_holds(self, request: AnyRequest, form: Any, visit: Visit | None) -> bool:
        """Whether the form carries its token: the session's, or (signing in) the sign-in
        form's, bound to that form's own cookie."""
        token = form.get("csrf") if hasattr(form, "get") else None
        token = token if isinstance(token, str) else None
        if visit is not None:
            return self.cookies.token_holds(visit.csrf, token)
        cookie = request.cookies.get(FORM, "")
        return bool(cookie) and self.cookies.token_holds(self.cookies.csrf(cookie), token)

    def keep(self, response: Response[Any], name: str, value: str) -> None:
        """A console cookie: the console's alone, never read by a script or sent from another
        site."""
        response.set_cookie(
            name, value, path=CONSOLE, httponly=True, samesite="strict", secure=self._secure
        )

    def form_cookie(self) -> tuple[str, str]:
        """A sign-in form's own cookie and the token it carries."""
        cookie = secrets.token_urlsafe(24)
        return cookie, self.cookies.csrf(cookie)

    def begin(self, operator: Operator) -> Response[Any]:
        """The overview, with a new session's cookie in place of the sign-in form's."""
        now = self._clock.now().timestamp()
        session = ConsoleSession(operator.email, operator.updated.timestamp(), now, now)
        response = see_other("/")
        self.keep(response, SESSION, self.cookies.issue(session))
        response.delete_cookie(FORM, path=CONSOLE)
        return response


def shown_time(at: datetime | None) -> str:
    """A time as the pages show it: UTC, to the second."""
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if at else ""


def see_other(path: str) -> Response[Any]:
    """Where a form's answer is read (`path` within the console)."""
    return Redirect(f"{CONSOLE}{path}", status_code=303, headers=PAGE_HEADERS)


def refused(status: int, text: str) -> Response[Any]:
    """A refusal as plain text: 403 (no form token, or a viewer acting) or 404."""
    return Response(text, status_code=status, media_type="text/plain", headers=PAGE_HEADERS)
