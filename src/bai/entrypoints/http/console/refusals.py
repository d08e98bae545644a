"""What the console shows for a refusal from a use case: the console's own pages, registered once
as the console router's exception handlers (the API's JSON envelopes stay the API's), so that its
handlers only translate. The page knows the operator from the request (`Site.visit` keeps it)."""

from collections.abc import Callable
from typing import Any, Final

from litestar import Response

from bai.domain.errors import (
    BaiError,
    ConflictNotFound,
    IdentityRefused,
    InvalidField,
    OperatorLocked,
    OperatorSignInRefused,
    UnknownApp,
    UserNotFound,
)

from .site import FORM, AnyRequest, Site
from .users import search_form

NO_CONFLICT: Final = "没有这个待处理的冲突(可能已被处理)"

Handler = Callable[[AnyRequest, Any], Response[Any]]


def refusal_pages(site: Site, apps: tuple[str, ...]) -> dict[type[Exception], Handler]:
    def missing(request: AnyRequest, _: UserNotFound) -> Response[Any]:
        pb_id = str(request.path_params.get("pb_id", ""))[:64]
        return site.page(site.kept_visit(request), "missing.html", 404, pb_id=pb_id)

    def refused(status: int, said: Callable[[Any], str]) -> Handler:
        def page(request: AnyRequest, refusal: BaiError) -> Response[Any]:
            back = "/conflicts" if "/conflicts" in request.url.path else "/"
            shown = {"refusal": said(refusal), "back": back}
            return site.page(site.kept_visit(request), "refused.html", status, **shown)

        return page

    def cannot_search(request: AnyRequest, refusal: InvalidField) -> Response[Any]:
        """The users' search form again, with why that search cannot be made; any other
        page's refusal of a field on a page of its own."""
        if not request.url.path.rstrip("/").endswith("/users"):
            return refused(400, lambda each: f"{each.field}: {each.reason}")(request, refusal)
        shown = search_form(apps, request.query_params)
        shown["refusal"] = f"{refusal.field}: {refusal.reason}"
        return site.page(site.kept_visit(request), "users.html", 400, **shown)

    def sign_in_again(request: AnyRequest, refusal: BaiError) -> Response[Any]:
        status = 429 if isinstance(refusal, OperatorLocked) else 401
        return site.page(
            None,
            "sign_in.html",
            status,
            csrf=site.cookies.csrf(request.cookies.get(FORM, "")),
            email=str(request.scope["state"].get("console_email", "")),
            refusal=refusal.message,
            operators_exist=True,
        )

    return {
        UserNotFound: missing,
        ConflictNotFound: refused(404, lambda _: NO_CONFLICT),
        IdentityRefused: refused(409, lambda refusal: refusal.reason or refusal.message),
        UnknownApp: refused(409, lambda refusal: refusal.message),
        InvalidField: cannot_search,
        OperatorSignInRefused: sign_in_again,
        OperatorLocked: sign_in_again,
    }
