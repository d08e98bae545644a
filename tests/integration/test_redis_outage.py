"""With Redis configured but away, login codes are still exchanged once across processes: the
Redis ledger falls back to the database's, which every process shares."""

import asyncio
from pathlib import Path

import pytest

from bai.domain.values import LoginCode, WeChatIdentity
from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with
from tests.support.concurrent_client import concurrent_client
from tests.support.fakes import TEST_APP, FakeWeChatGateway
from tests.support.tcp_proxy import free_port


class SlowWeChat(FakeWeChatGateway):
    async def code_to_session(self, code: LoginCode, *, app: str = TEST_APP) -> WeChatIdentity:
        await asyncio.sleep(0.05)
        return await super().code_to_session(code, app=app)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    database: str = request.getfixturevalue(f"{request.param}_url")
    return database


async def test_double_taps_over_two_processes_share_one_exchange_while_redis_is_away(
    tmp_path: Path, url: str
) -> None:
    wechat = SlowWeChat()
    env = {
        "BAI_DATABASE_URL": url,
        "BAI_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        "BAI_RATE_LIMIT": "off",
    }
    # two processes: two containers over one database
    apps = [create_app(container_with(tmp_path, env, wechat=wechat)) for _ in range(2)]
    codes = [wechat.login_code(f"tap-{n}", openid=f"o-{n}") for n in range(10)]

    async with concurrent_client(apps[0]) as one, concurrent_client(apps[1]) as other:
        answers = await asyncio.gather(
            *(
                client.post("/pb/api/wechat/login", json={"users_wx_code": code})
                for code in codes
                for client in (one, other)
            )
        )

    assert [answer.status_code for answer in answers] == [200] * 20
    assert wechat.calls == 10
