"""The operator console over HTTP (SPEC "The operator console"): who may reach it, the sign-in
with its CSRF token, the lockout, the session cookie, sign-out, and the headers of every page.
The browser tests drive the same pages in Chromium."""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.domain.operators import OperatorRole
from bai.domain.use_cases.operator_accounts import Actor
from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with
from tests.support.builders import a_user
from tests.support.concurrent_client import concurrent_client
from tests.support.passwords import cheap_hasher

CONSOLE = "/pb/console"
PASSWORD = "correct horse battery staple"


async def console(tmp_path: Path, **env: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app on memory storage with one admin, reached from loopback (httpx's client)."""
    container = container_with(tmp_path, {"BAI_DATABASE_URL": "memory://", **env})
    container.adapters.password_hasher.override(providers.Object(cheap_hasher()))
    async with concurrent_client(create_app(container)) as client:
        accounts = container.use_cases.operator_accounts()
        await accounts.add(Actor("cli:test"), "ops@example.com", PASSWORD, OperatorRole.ADMIN)
        yield client


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for served in console(tmp_path):
        yield served


def form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found[1]


async def sign_in(
    client: httpx.AsyncClient, password: str = PASSWORD, *, email: str = "ops@example.com"
) -> httpx.Response:
    token = form_token(await client.get(f"{CONSOLE}/sign-in"))
    return await client.post(
        f"{CONSOLE}/sign-in", data={"email": email, "password": password, "csrf": token}
    )


async def test_an_operator_signs_in_sees_the_overview_and_signs_out(
    client: httpx.AsyncClient,
) -> None:
    before = await client.get(f"{CONSOLE}/")
    signed_in = await sign_in(client)
    overview = await client.get(f"{CONSOLE}/")
    signed_out = await client.post(f"{CONSOLE}/sign-out", data={"csrf": form_token(overview)})
    after = await client.get(f"{CONSOLE}/")

    assert (before.status_code, before.headers["location"]) == (303, f"{CONSOLE}/sign-in")
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, f"{CONSOLE}/")
    [cookie] = [c for c in signed_in.headers.get_list("set-cookie") if c.startswith("bai_console=")]
    assert all(part in cookie for part in ("HttpOnly", "SameSite=strict", f"Path={CONSOLE}"))
    assert overview.status_code == 200
    assert "ops@example.com" in overview.text
    assert signed_out.status_code == 303
    assert after.headers["location"] == f"{CONSOLE}/sign-in"


async def test_a_wrong_password_and_an_unknown_email_are_refused_alike(
    client: httpx.AsyncClient,
) -> None:
    wrong = await sign_in(client, "not the password")
    unknown = await sign_in(client, email="nobody@example.com")

    assert wrong.status_code == unknown.status_code == 401
    assert "邮箱或密码不正确" in wrong.text
    assert "邮箱或密码不正确" in unknown.text
    assert (await client.get(f"{CONSOLE}/")).status_code == 303


async def test_five_wrong_passwords_lock_the_email(client: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await sign_in(client, "not the password")).status_code == 401

    locked = await sign_in(client)

    assert locked.status_code == 429
    assert "15 分钟" in locked.text


async def test_a_post_without_its_forms_token_is_403_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    await client.get(f"{CONSOLE}/sign-in")  # the form's cookie, but not its token

    no_token = await client.post(
        f"{CONSOLE}/sign-in", data={"email": "ops@example.com", "password": PASSWORD}
    )
    forged = await client.post(
        f"{CONSOLE}/sign-in",
        data={"email": "ops@example.com", "password": PASSWORD, "csrf": "x" * 43},
    )
    signed_in = await sign_in(client)
    sign_out = await client.post(f"{CONSOLE}/sign-out", data={})

    assert no_token.status_code == forged.status_code == sign_out.status_code == 403
    assert signed_in.status_code == 303
    assert (await client.get(f"{CONSOLE}/")).status_code == 200  # still signed in


async def test_every_page_has_a_careful_admin_pages_headers(client: httpx.AsyncClient) -> None:
    await sign_in(client)

    for page in (await client.get(f"{CONSOLE}/sign-in"), await client.get(f"{CONSOLE}/")):
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("allow", ["10.0.0.0/8", "off"])
async def test_an_address_not_allowed_gets_404(tmp_path: Path, allow: str) -> None:
    async for client in console(tmp_path, BAI_CONSOLE_ALLOW=allow):
        answers = [
            await client.get(f"{CONSOLE}/"),
            await client.get(f"{CONSOLE}/sign-in"),
            await client.post(f"{CONSOLE}/sign-in", data={}),
            await client.get(f"{CONSOLE}/static/console.css"),  # nothing says it is there
            await client.get(f"{CONSOLE}/sign-out"),  # not even a wrong method
            await client.options(f"{CONSOLE}/sign-in"),
            await client.get(CONSOLE),
            await client.get("/pb//console/static/console.css"),  # the router's slashes
            await client.options("//pb/console//sign-in"),
        ]
        elsewhere = await client.get("/pb/api/health")  # the gate stands before the console only

        assert [answer.status_code for answer in answers] == [404] * len(answers)
        assert all(answer.json()["msg"] == "请求的接口不存在" for answer in answers)
        assert elsewhere.status_code == 200


async def test_the_frameworks_own_refusals_carry_the_pages_headers(
    client: httpx.AsyncClient,
) -> None:
    answers = [
        await client.get(f"{CONSOLE}/sign-out"),  # 405
        await client.get(f"{CONSOLE}/no-such-page"),  # 404
    ]

    assert [answer.status_code for answer in answers] == [405, 404]
    for answer in answers:
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


async def test_an_ipv6_subscribers_addresses_are_locked_together(tmp_path: Path) -> None:
    proxied = {"BAI_TRUSTED_PROXIES": "127.0.0.1/32", "BAI_CONSOLE_ALLOW": "2001:db8::/32"}
    async for client in console(tmp_path, **proxied):
        answers = []
        for n in range(1, 7):  # one /64, six addresses in it, six emails
            client.headers["X-Forwarded-For"] = f"2001:db8:1:2::{n}"
            answers.append((await sign_in(client, email=f"guess{n}@example.com")).status_code)

    assert answers == [401] * 5 + [429]


async def test_console_off_removes_it(tmp_path: Path) -> None:
    async for client in console(tmp_path, BAI_CONSOLE="off"):
        assert (await client.get(f"{CONSOLE}/sign-in")).status_code == 404


async def test_users_are_searched_by_full_phone_and_shown_masked(tmp_path: Path) -> None:
    container = container_with(tmp_path, {"BAI_DATABASE_URL": "memory://"})
    container.adapters.password_hasher.override(providers.Object(cheap_hasher()))
    phoned = replace(a_user(openid="o-phone"), users_phone="13800138000", users_name="张三")
    other = replace(a_user(openid="o-other"), users_phone="13900139000")
    async with concurrent_client(create_app(container)) as client:
        accounts = container.use_cases.operator_accounts()
        await accounts.add(Actor("cli:test"), "ops@example.com", PASSWORD, OperatorRole.ADMIN)
        for user in (phoned, other):
            await container.adapters.users().add_if_absent(user)
        await sign_in(client)

        found = await client.get(f"{CONSOLE}/users", params={"phone": "13800138000"})
        partial = await client.get(f"{CONSOLE}/users", params={"phone": "138001"})
        refused = await client.get(f"{CONSOLE}/users", params={"phone": "138-0013"})

    assert found.status_code == 200
    assert phoned.pb_id in found.text
    assert "138****8000" in found.text
    assert "13800138000" not in found.text.replace('value="13800138000"', "")
    assert other.pb_id not in found.text
    assert phoned.pb_id not in partial.text  # the full number only
    assert refused.status_code == 400
    assert "phone" in refused.text


async def test_the_users_page_needs_a_session(client: httpx.AsyncClient) -> None:
    page = await client.get(f"{CONSOLE}/users")

    assert (page.status_code, page.headers["location"]) == (303, f"{CONSOLE}/sign-in")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.sampled_from(["pb_id", "phone", "name", "status", "app", "after"]),
        st.text(max_size=80),
    )
)
def test_any_users_search_is_a_page_or_a_400_never_an_error(
    tmp_path_factory: pytest.TempPathFactory, params: dict[str, str]
) -> None:
    async def search() -> int:
        async for client in console(tmp_path_factory.mktemp("search")):
            await sign_in(client)
            return (await client.get(f"{CONSOLE}/users", params=params)).status_code
        return 0

    assert asyncio.run(search()) in {200, 400}
