"""The console's pages on every storage backend (SPEC "The operator console"): the overview's
figures from the stores, a user found by phone and opened, disabled, enabled, signed out
everywhere and deleted (the API sees each at once, the audit trail names the operator and their
address), the identity conflicts linked and dismissed, the events and the audit trail paged.
A viewer reads and cannot act; hostile paths and queries are never a 500."""

import asyncio
import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bai.domain.identities import Identity
from bai.domain.operators import OperatorRole
from bai.domain.push_events import PushEventRecord, PushOutcome
from bai.domain.use_cases.operator_accounts import Actor
from bai.entrypoints.container import Container
from bai.entrypoints.http.app import create_app
from tests.integration.test_console_http import PASSWORD, form_token, sign_in
from tests.support.apps import container_with
from tests.support.builders import a_user
from tests.support.concurrent_client import concurrent_client
from tests.support.databases import memory_only
from tests.support.fakes import TEST_APPS, FakeWeChatGateway, FixedClock
from tests.support.identity_stores import conflict_kept
from tests.support.passwords import cheap_hasher

CONSOLE = "/pb/console"
ADMIN, VIEWER = "ops@example.com", "viewer@example.com"
PB_ID_LINK = re.compile(r'href="/pb/console/users/([0-9a-z]{15})"')


@asynccontextmanager
async def console_of(
    container: Container, email: str = ADMIN, *, added: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """The app of `container` serving, with an admin and a viewer, `email` signed in."""
    container.adapters.password_hasher.override(providers.Object(cheap_hasher()))
    async with concurrent_client(create_app(container)) as client:
        accounts = container.use_cases.operator_accounts()
        if added:
            await accounts.add(Actor("cli:test"), ADMIN, PASSWORD, OperatorRole.ADMIN)
            await accounts.add(Actor("cli:test"), VIEWER, PASSWORD, OperatorRole.VIEWER)
        assert (await sign_in(client, email=email)).status_code == 303
        yield client


async def signed_up(
    client: httpx.AsyncClient, wechat: FakeWeChatGateway, openid: str, phone: str
) -> str:
    """A mini-program user who signed in and gave their phone: their token."""
    code = wechat.login_code(f"code-{openid}", openid=openid)
    login = await client.post("/pb/api/wechat/login", json={"users_wx_code": code})
    token: str = login.json()["token"]
    profile = await client.post(
        "/pb/api/wechat/profile",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "users_name": "张三",
            "users_phone_code": wechat.phone_code(f"phone-{openid}", openid=openid, phone=phone),
            "users_picture": "https://cdn.example.com/a.png",
        },
    )
    assert profile.status_code == 200, profile.text
    return token


async def refreshed(client: httpx.AsyncClient, token: str) -> int:
    answer = await client.post(
        "/pb/api/system/refresh-token", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code


async def confirmed(client: httpx.AsyncClient, pb_id: str, action: str) -> httpx.Response:
    """The action's confirmation page, then its button."""
    confirm = await client.get(f"{CONSOLE}/users/{pb_id}/confirm/{action}")
    assert confirm.status_code == 200, confirm.text
    return await client.post(
        f"{CONSOLE}/users/{pb_id}/{action}", data={"csrf": form_token(confirm)}
    )


async def test_an_admin_finds_a_user_by_phone_acts_on_them_and_the_audit_trail_says_so(
    container: Container, wechat: FakeWeChatGateway
) -> None:
    async with console_of(container) as client:
        token = await signed_up(client, wechat, "o-console", "13800138000")
        overview = await client.get(f"{CONSOLE}/")
        found = await client.get(f"{CONSOLE}/users", params={"phone": "13800138000"})
        [pb_id] = PB_ID_LINK.findall(found.text)
        page = await client.get(f"{CONSOLE}/users/{pb_id}")

        disabled = await confirmed(client, pb_id, "disable")
        after_disable = await refreshed(client, token)
        disabled_page = await client.get(disabled.headers["location"])
        enabled = await confirmed(client, pb_id, "enable")
        token = await signed_up(client, wechat, "o-console", "13800138000")
        revoked = await confirmed(client, pb_id, "revoke")
        after_revoke = await refreshed(client, token)
        deleted = await confirmed(client, pb_id, "delete")
        count = await client.post("/pb/api/system/users-count")
        audit = await client.get(f"{CONSOLE}/audit", params={"target": pb_id})

    assert re.search(r'id="users">1<', overview.text)
    assert re.search(r'id="sign-ins">1<', overview.text)
    assert re.search(r'id="registrations">1<', overview.text)
    assert "138****8000" in page.text
    assert "13800138000" not in page.text
    assert "o-console" in page.text  # the identity
    assert page.text.count(TEST_APPS.primary) == 3  # the identity, the session, the sign-in
    assert (disabled.status_code, after_disable) == (303, 401)
    assert 'id="status">disabled<' in disabled_page.text
    assert "已禁用" in disabled_page.text
    assert enabled.status_code == 303
    assert (revoked.status_code, after_revoke) == (303, 401)
    assert (deleted.status_code, deleted.headers["location"]) == (
        303,
        f"{CONSOLE}/users?done=delete",
    )
    assert count.json()["data"]["total_users"] == 0
    rows = re.findall(
        r"<tr><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>",
        audit.text,
    )
    assert sorted(rows) == sorted(
        (ADMIN, f"users.{action}", pb_id, "127.0.0.1")
        for action in ("delete", "revoke", "enable", "disable")
    )


async def test_odd_paths_and_positions_are_refused_before_any_store_is_asked(
    container: Container,
) -> None:
    async with console_of(container) as client:
        token = form_token(await client.get(f"{CONSOLE}/"))
        answers = {
            "a NUL as pb_id": await client.get(f"{CONSOLE}/users/%00"),
            "a NUL to confirm": await client.get(f"{CONSOLE}/users/%00/confirm/disable"),
            "a NUL to delete": await client.post(
                f"{CONSOLE}/users/%00/delete", data={"csrf": token}
            ),
            "a time before year 1 in UTC": await client.get(
                f"{CONSOLE}/audit", params={"before": "0001-01-01T00:00:00+14:00~a"}
            ),
            "a time past year 9999 in UTC": await client.get(
                f"{CONSOLE}/events", params={"before": "9999-12-31T23:59:59-14:00~a"}
            ),
            "a NUL as target": await client.get(f"{CONSOLE}/audit", params={"target": "\x00"}),
        }
        client.cookies.clear()
        signing = await sign_in(client, email="a\x00@example.com")

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "a NUL as pb_id": 404,
        "a NUL to confirm": 404,
        "a NUL to delete": 404,
        "a time before year 1 in UTC": 400,
        "a time past year 9999 in UTC": 400,
        "a NUL as target": 200,
    }
    assert signing.status_code == 401


async def test_a_conflict_is_linked_to_the_unionids_holder_or_dismissed(
    container: Container, clock: FixedClock
) -> None:
    identities, other_app = container.adapters.identities(), TEST_APPS.others[0]
    holder = await identities.register(
        a_user(openid="o-holder"),
        Identity(appid=TEST_APPS.primary, openid="o-holder", pb_id="", created=clock.now()),
    )
    async with console_of(container) as client:
        conflicts = [
            await conflict_kept(
                identities, appid=other_app, openid=f"o-shop-{n}", holder=holder.pb_id,
                at=clock.now(),
            )
            for n in range(2)
        ]  # fmt: skip
        listed = await client.get(f"{CONSOLE}/conflicts")
        csrf = form_token(listed)
        linked = await client.post(
            f"{CONSOLE}/conflicts/{conflicts[0].id}/link", data={"csrf": csrf}
        )
        dismissed = await client.post(
            f"{CONSOLE}/conflicts/{conflicts[1].id}/dismiss", data={"csrf": csrf}
        )
        again = await client.post(
            f"{CONSOLE}/conflicts/{conflicts[1].id}/dismiss", data={"csrf": csrf}
        )
        after = await client.get(f"{CONSOLE}/conflicts")
        moved = await identities.find(other_app, "o-shop-0")
        audit = await client.get(f"{CONSOLE}/audit")

    assert all(f"/conflicts/{each.id}/link" in listed.text for each in conflicts)
    assert (linked.status_code, dismissed.status_code) == (303, 303)
    assert again.status_code == 404
    assert "没有待处理的冲突" in after.text
    assert moved is not None
    assert moved[1].pb_id == holder.pb_id
    assert "identities.link" in audit.text
    assert "identities.dismiss" in audit.text


@memory_only
async def test_a_viewer_reads_but_has_no_action_and_a_forged_one_is_403(
    container: Container, wechat: FakeWeChatGateway
) -> None:
    async with console_of(container, VIEWER) as client:
        token = await signed_up(client, wechat, "o-viewed", "13800138000")
        [pb_id] = PB_ID_LINK.findall((await client.get(f"{CONSOLE}/users")).text)
        page = await client.get(f"{CONSOLE}/users/{pb_id}")
        confirm = await client.get(f"{CONSOLE}/users/{pb_id}/confirm/disable")
        forged = await client.post(
            f"{CONSOLE}/users/{pb_id}/disable", data={"csrf": form_token(page)}
        )
        unsigned = await client.post(f"{CONSOLE}/users/{pb_id}/disable", data={})
        audit = await client.get(f"{CONSOLE}/audit")

        assert await refreshed(client, token) == 200
    assert page.status_code == 200
    assert "/confirm/" not in page.text
    assert (confirm.status_code, forged.status_code, unsigned.status_code) == (403, 403, 403)
    assert "users.disable" not in audit.text


@memory_only
async def test_a_session_goes_on_while_used_and_ends_after_twelve_idle_hours(
    container: Container, clock: FixedClock
) -> None:
    async with console_of(container) as client:
        page = await client.get(f"{CONSOLE}/")
        seen = []
        for _ in range(3):  # 33 hours, never 12 idle
            clock.advance(11 * 3600)
            seen.append((await client.get(f"{CONSOLE}/users")).status_code)
        still = await client.post(f"{CONSOLE}/sign-out", data={"csrf": form_token(page)})
        async with console_of(container, VIEWER, added=False) as idle:
            clock.advance(12 * 3600 + 1)
            ended = await idle.get(f"{CONSOLE}/")

    assert seen == [200, 200, 200]
    assert still.status_code == 303  # the form token of the first page holds
    assert (ended.status_code, ended.headers["location"]) == (303, f"{CONSOLE}/sign-in")


async def next_page(client: httpx.AsyncClient, page: httpx.Response, path: str) -> str:
    """The page its "next" link leads to."""
    [after] = re.findall(r'href="(\?[^"]+)" rel="next"', page.text)
    return (await client.get(f"{CONSOLE}/{path}{html.unescape(after)}")).text


async def test_the_events_and_the_audit_trail_are_paged_newest_first(
    container: Container, clock: FixedClock
) -> None:
    events, audit_log = container.adapters.push_events(), container.use_cases.audit_log()
    for n in range(55):
        await events.add(
            PushEventRecord(
                id=f"{n:064x}",
                appid=TEST_APPS.primary,
                event="user_authorization_revoke",
                sent=clock.now(),
                received=clock.now() + timedelta(seconds=n),
                outcome=PushOutcome.UNKNOWN_OPENID,
            )
        )
        await audit_log.record(Actor("cli:test"), "users.disable", f"user{n:011d}")
        clock.advance(1)
    async with console_of(container) as client:
        first = await client.get(f"{CONSOLE}/events")
        second = await next_page(client, first, "events")
        trail = await client.get(f"{CONSOLE}/audit", params={"target": "user00000000054"})
        everyone = await client.get(f"{CONSOLE}/audit")
        everyone_after = await next_page(client, everyone, "audit")
        overview = await client.get(f"{CONSOLE}/")

    assert first.text.count("unknown_openid") == 50
    assert second.count("unknown_openid") == 5
    assert trail.text.count("users.disable") == 1
    # 55 actions, 2 operators added and a sign-in, newest first: the first 50, then the rest.
    assert everyone.text.count("users.disable") == 50 - 3
    assert everyone_after.count("users.disable") == 8
    assert "user00000000000" in everyone_after
    assert overview.text.count("unknown_openid") == 10


VISITS = st.tuples(
    st.sampled_from(
        ["users/{}", "users/{}/confirm/{}", "events?before={}", "audit?before={}&target={}"]
    ),
    st.text(max_size=40),
    st.text(max_size=80),
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(VISITS, min_size=1, max_size=12))
def test_no_path_or_query_is_a_500(
    tmp_path_factory: pytest.TempPathFactory, visits: list[tuple[str, str, str]]
) -> None:
    """Any path segment, query value or posted action: a page or a 4xx."""

    async def answered() -> list[int]:
        env = {"BAI_DATABASE_URL": "memory://"}
        container = container_with(tmp_path_factory.mktemp("pages"), env)
        statuses = []
        async with console_of(container) as client:
            token = form_token(await client.get(f"{CONSOLE}/users"))
            for page, segment, query in visits:
                one, two = quote(segment, safe="") or "x", quote(query, safe="") or "x"
                shown = await client.get(f"{CONSOLE}/{page.format(one, two)}")
                acted = await client.post(f"{CONSOLE}/users/{one}/{two}", data={"csrf": token})
                statuses += [shown.status_code, acted.status_code]
        return statuses

    assert all(status < 500 for status in asyncio.run(answered()))


@memory_only
async def test_every_refusal_is_a_console_page_with_its_status(
    container: Container, clock: FixedClock
) -> None:
    identities = container.adapters.identities()
    holder = await identities.register(
        a_user(openid="o-holder"),
        Identity(appid=TEST_APPS.primary, openid="o-holder", pb_id="", created=clock.now()),
    )
    retired, nobodys = [
        await conflict_kept(
            identities, appid=appid, openid=f"o-{appid}", holder=other, at=clock.now()
        )
        for appid, other in (("wxretired0000003", holder.pb_id), (TEST_APPS.others[0], ""))
    ]
    async with console_of(container) as client:
        csrf = {"csrf": form_token(await client.get(f"{CONSOLE}/"))}
        answers = {
            "UserNotFound": await client.get(f"{CONSOLE}/users/nobody000000000"),
            "ConflictNotFound": await client.post(
                f"{CONSOLE}/conflicts/nothing00000000/dismiss", data=csrf
            ),
            "UnknownApp": await client.post(f"{CONSOLE}/conflicts/{retired.id}/link", data=csrf),
            "IdentityRefused": await client.post(
                f"{CONSOLE}/conflicts/{nobodys.id}/link", data=csrf
            ),
            "InvalidField (users)": await client.get(f"{CONSOLE}/users?status=gone"),
            "InvalidField (audit)": await client.get(f"{CONSOLE}/audit?before=x"),
        }
        client.cookies.clear()
        answers["OperatorSignInRefused"] = await sign_in(client, "wrong password!")
        for _ in range(5):
            answers["OperatorLocked"] = await sign_in(client, "wrong password!")

    assert {name: answer.status_code for name, answer in answers.items()} == {
        "UserNotFound": 404,
        "ConflictNotFound": 404,
        "UnknownApp": 409,
        "IdentityRefused": 409,
        "InvalidField (users)": 400,
        "InvalidField (audit)": 400,
        "OperatorSignInRefused": 401,
        "OperatorLocked": 429,
    }
    assert all(
        answer.headers["content-type"].startswith("text/html") for answer in answers.values()
    )
    assert "nobody000000000" in answers["UserNotFound"].text
    assert 'name="status"' in answers["InvalidField (users)"].text  # the search form again
    assert answers["OperatorLocked"].text.count('name="csrf"') == 1
