"""SPEC's "Several workers, several hosts" on one host: `bai serve` with two worker processes
on the default SQLite file, on PostgreSQL and beside a live PocketBase, against a real HTTP fake
of WeChat whose login codes are single-use, as WeChat's are, serving two mini-programs from an
apps file (requests without a Referer are the primary app's, as on a one-app deployment)."""

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from devtools.fake_wechat_server import FakeWeChat, FakeWeChatServer

from bai.adapters.sqlalchemy.engine import SQLITE_BUSY_TIMEOUT_MS
from tests.integration.conftest import AVATAR
from tests.integration.test_served import serving

SESSION = "/sns/jscode2session"


CARD = "wxcard00000000002"
STAFF = "wxstaff0000000003"  # not bound to the Open Platform account: no unionid


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeWeChatServer]:
    server = FakeWeChatServer(FakeWeChat())
    card_secret = server.wechat.add_app(CARD)
    staff_secret = server.wechat.add_app(STAFF, bound=False)
    apps = tmp_path_factory.mktemp("apps") / "apps.toml"
    apps.write_text(
        f'[[app]]\nappid = "{server.wechat.appid}"\nsecret = "{server.wechat.secret}"\n'
        f'primary = true\n\n[[app]]\nappid = "{CARD}"\nsecret = "{card_secret}"\n'
        f'\n[[app]]\nappid = "{STAFF}"\nsecret = "{staff_secret}"\n'
    )
    server.apps_file = apps  # type: ignore[attr-defined]
    yield server
    server.stop()


def wechat_env(fake: FakeWeChatServer) -> dict[str, str]:
    return {
        "BAI_WORKERS": "2",
        "BAI_RATE_LIMIT": "off",
        "BAI_WECHAT_APPS_FILE": str(fake.apps_file),  # type: ignore[attr-defined]
        "BAI_WECHAT_API_BASE": fake.url,
    }


@pytest.fixture(scope="module")
def sqlite_served(
    fake: FakeWeChatServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The server on its default SQLite file, and that file."""
    folder = tmp_path_factory.mktemp("workers-sqlite")
    with serving(folder, **wechat_env(fake)) as (url, _):
        yield url, folder / "bai.db"


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "pocketbase"])
def base(
    request: pytest.FixtureRequest,
    fake: FakeWeChatServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_served")[0]
        return
    env = wechat_env(fake)
    if request.param == "postgresql":
        env["BAI_DATABASE_URL"] = request.getfixturevalue("postgres_database")
    if request.param == "pocketbase":
        pocketbase = request.getfixturevalue("pocketbase_server")
        pocketbase.empty()
        env["BAI_DATABASE_URL"] = pocketbase.storage_url
    with serving(tmp_path_factory.mktemp(f"workers-{request.param}"), **env) as (url, _):
        yield url


def clients(count: int) -> httpx.AsyncClient:
    """Connections of their own, so that requests spread over the workers."""
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    return httpx.AsyncClient(limits=limits, timeout=30)


async def logins(
    base: str, codes: list[str], apps: list[str | None] | None = None
) -> list[httpx.Response]:
    """Each code's login, at once; `apps`: the app each names by its Referer (None: none)."""
    named = apps or [None] * len(codes)
    async with clients(len(codes)) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"{base}/pb/api/wechat/login",
                    json={"users_wx_code": code},
                    headers={"Referer": f"https://servicewechat.com/{app}/1/page-frame.html"}
                    if app
                    else {},
                )
                for code, app in zip(codes, named, strict=True)
            )
        )


def test_double_taps_split_over_workers_both_succeed(base: str, fake: FakeWeChatServer) -> None:
    codes = [fake.wechat.login_code(f"tap-{base}-{n}", openid=f"tap-{base}-{n}") for n in range(30)]
    exchanges = fake.wechat.calls[SESSION]

    answers = asyncio.run(logins(base, [code for code in codes for _ in range(2)]))

    assert [answer.status_code for answer in answers] == [200] * 60
    users = [answer.json()["data"]["user"]["pb_id"] for answer in answers]
    assert all(users[n] == users[n + 1] for n in range(0, 60, 2))
    assert fake.wechat.calls[SESSION] - exchanges == 30


def test_forty_requests_with_one_code_are_forty_successes(
    base: str, fake: FakeWeChatServer
) -> None:
    code = fake.wechat.login_code(f"one-{base}", openid=f"one-{base}")

    answers = asyncio.run(logins(base, [code] * 40))

    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.json()["data"]["user"]["pb_id"] for answer in answers}) == 1


def test_a_registration_is_counted_by_the_next_count_in_any_worker(
    base: str, fake: FakeWeChatServer
) -> None:
    def count() -> int:
        with httpx.Client() as fresh:  # a new connection: any worker may answer
            total: int = fresh.post(f"{base}/pb/api/system/users-count").json()["data"][
                "total_users"
            ]
            return total

    for n in range(20):
        before = count()
        code = fake.wechat.login_code(f"count-{base}-{n}", openid=f"count-{base}-{n}")
        with httpx.Client() as fresh:
            registered = fresh.post(f"{base}/pb/api/wechat/login", json={"users_wx_code": code})
        assert registered.json()["data"]["status"] == "register_success"
        assert count() == before + 1


def test_four_hundred_first_logins_at_once_all_succeed(base: str, fake: FakeWeChatServer) -> None:
    codes = [
        fake.wechat.login_code(f"rush-{base}-{n}", openid=f"rush-{base}-{n}") for n in range(400)
    ]

    answers = asyncio.run(logins(base, codes))

    failures = [answer.text for answer in answers if answer.status_code != 200]
    assert failures == []
    assert {answer.json()["data"]["status"] for answer in answers} == {"register_success"}


@contextmanager
def write_lock_held(database: Path) -> Iterator[None]:
    """Another program's write transaction on the SQLite file, open until the block ends."""
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def mixed_request(wechat: FakeWeChat, n: int, tokens: list[str]) -> tuple[str, dict[str, str], str]:
    """Client n's request (each a kind in turn: a first login, a login of a regular, a
    refresh, a count, a profile) and the token of its regular."""
    regular, login = f"regular-{n % len(tokens)}", wechat.login_code
    kinds = [
        ("/wechat/login", {"users_wx_code": login(f"mix-new-{n}", openid=f"mix-new-{n}")}),
        ("/wechat/login", {"users_wx_code": login(f"mix-again-{n}", openid=regular)}),
        ("/system/refresh-token", {"users_wx_code": login(f"mix-ref-{n}", openid=regular)}),
        ("/system/users-count", {}),
        (
            "/wechat/profile",
            {
                "users_name": f"n{n}",
                "users_picture": AVATAR,
                "users_phone_code": wechat.phone_code(
                    f"mix-phone-{n}", openid=regular, phone=f"139{n % len(tokens):08d}"
                ),
            },
        ),
    ]
    path, body = kinds[n % len(kinds)]
    return path, body, tokens[n % len(tokens)]


async def mixed_rush(base: str, wechat: FakeWeChat, database: Path) -> list[httpx.Response]:
    """200 clients at once, each sending one request, while another program holds SQLite's
    write lock for longer than SQLite's busy timeout."""
    first = [wechat.login_code(f"mix-first-{n}", openid=f"regular-{n}") for n in range(20)]
    tokens = [answer.json()["token"] for answer in await logins(base, first)]
    requests = [mixed_request(wechat, n, tokens) for n in range(200)]
    async with clients(len(requests)) as client:
        with write_lock_held(database):
            answers = asyncio.gather(
                *(
                    client.post(f"{base}/pb/api{path}", json=body, headers={"Authorization": token})
                    for path, body, token in requests
                )
            )
            await asyncio.sleep(SQLITE_BUSY_TIMEOUT_MS / 1000 + 1)  # the scenario, not a wait
        return await answers


def test_two_hundred_clients_of_mixed_traffic_on_sqlite_wait_for_a_held_lock_without_a_500(
    sqlite_served: tuple[str, Path], fake: FakeWeChatServer
) -> None:
    base, database = sqlite_served

    answers = asyncio.run(mixed_rush(base, fake.wechat, database))

    assert [answer.text for answer in answers if answer.status_code != 200] == []


def test_one_persons_first_logins_split_over_two_apps_and_workers_make_one_user(
    base: str, fake: FakeWeChatServer
) -> None:
    shop = fake.wechat.appid
    apps: list[str | None] = [CARD if n % 2 else shop for n in range(20)]
    codes = [
        fake.wechat.login_code(f"two-{base}-{n}", f"{app}-{base}", f"u-{base}", app=app or "")
        for n, app in enumerate(apps)
    ]

    answers = asyncio.run(logins(base, codes, apps))

    assert [answer.status_code for answer in answers] == [200] * 20, answers[0].text
    assert len({answer.json()["data"]["user"]["pb_id"] for answer in answers}) == 1
    statuses = [answer.json()["data"]["status"] for answer in answers]
    assert statuses.count("register_success") == 1


def test_an_app_named_by_the_referer_is_asked_and_an_unknown_one_is_not(
    base: str, fake: FakeWeChatServer
) -> None:
    exchanges = fake.wechat.calls[SESSION]
    code = fake.wechat.login_code(f"card-{base}", f"card-only-{base}", app=CARD)
    stranger = fake.wechat.login_code(f"stranger-{base}", f"stranger-{base}", app=CARD)

    card, unknown = asyncio.run(logins(base, [code, stranger], [CARD, "wxunknown000000000"]))

    assert card.status_code == 200
    assert card.json()["data"]["user"]["openid"] == f"card-only-{base}"
    assert unknown.status_code == 400
    assert fake.wechat.calls[SESSION] - exchanges == 1


def test_an_app_not_bound_to_the_open_platform_makes_a_user_of_its_own(
    base: str, fake: FakeWeChatServer
) -> None:
    unionid = f"u-staff-{base}"
    card = fake.wechat.login_code(f"bound-{base}", f"card-{base}-s", unionid, app=CARD)
    staff = fake.wechat.login_code(f"unbound-{base}", f"staff-{base}", unionid, app=STAFF)

    [first] = asyncio.run(logins(base, [card], [CARD]))
    [second] = asyncio.run(logins(base, [staff], [STAFF]))

    assert first.json()["data"]["status"] == second.json()["data"]["status"] == "register_success"
    assert first.json()["data"]["user"]["pb_id"] != second.json()["data"]["user"]["pb_id"]
