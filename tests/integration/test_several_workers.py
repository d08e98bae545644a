"""SPEC's "Several workers, several hosts" on one host: `bai serve` with two worker processes
on the default SQLite file, on PostgreSQL and beside a live PocketBase, against a real HTTP fake
of WeChat whose login codes are single-use, as WeChat's are."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from devtools.fake_wechat_server import FakeWeChat, FakeWeChatServer

from tests.integration.test_served import serving

SESSION = "/sns/jscode2session"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeWeChatServer]:
    server = FakeWeChatServer(FakeWeChat())
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "pocketbase"])
def base(
    request: pytest.FixtureRequest,
    fake: FakeWeChatServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    env = {
        "BAI_WORKERS": "2",
        "BAI_RATE_LIMIT": "off",
        "BAI_WECHAT_APPID": fake.wechat.appid,
        "BAI_WECHAT_SECRET": fake.wechat.secret,
        "BAI_WECHAT_API_BASE": fake.url,
    }
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


async def logins(base: str, codes: list[str]) -> list[httpx.Response]:
    async with clients(len(codes)) as client:
        return await asyncio.gather(
            *(client.post(f"{base}/pb/api/wechat/login", json={"users_wx_code": c}) for c in codes)
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
