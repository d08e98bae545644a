"""The real gateway against a real HTTP server standing in for WeChat, through the API."""

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from devtools.fake_wechat_server import FakeWeChatServer
from litestar.testing import TestClient

from bai.adapters.wechat.http1_transport import new_transport
from bai.entrypoints.config.settings import load_settings
from bai.entrypoints.container import Container
from bai.entrypoints.http.app import create_app
from bai.entrypoints.wiring import container_for
from tests.integration.conftest import AVATAR, Api
from tests.support.apps import SECRET
from tests.support.concurrent_client import concurrent_client
from tests.support.contract import assert_contract
from tests.support.tcp_proxy import free_port

TIMEOUT = 0.5
SESSION = "/sns/jscode2session?js_code=c"


def container_against(
    server: FakeWeChatServer,
    tmp_path: Path,
    *,
    secret: str | None = None,
    timeout: float = TIMEOUT,
    database_url: str = "memory://",
) -> Container:
    return container_for(
        load_settings(
            {
                "BAI_TOKEN_SECRET": SECRET,
                "BAI_DATA_DIR": str(tmp_path),
                "BAI_DATABASE_URL": database_url,
                "BAI_WECHAT_APPID": server.wechat.appid,
                "BAI_WECHAT_SECRET": secret or server.wechat.secret,
                "BAI_WECHAT_API_BASE": server.url,
                "BAI_WECHAT_CONNECT_TIMEOUT": str(timeout),
                "BAI_WECHAT_TIMEOUT": str(timeout),
            }
        )
    )


@pytest.fixture
def api(fake: FakeWeChatServer, tmp_path: Path) -> Iterator[Api]:
    container = container_against(fake, tmp_path)
    with TestClient(create_app(container)) as client:
        yield Api(client, container)


def test_login_and_profile_through_wechat(api: Api, fake: FakeWeChatServer) -> None:
    token = api.token_for(fake.wechat.login_code("code-1", openid="openid-1", unionid="union-1"))
    fake.wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")

    response = api.profile(token)

    assert response.status_code == 200
    assert response.json()["data"]["user"]["users_phone"] == "13800138000"


@pytest.mark.parametrize(
    ("errcode", "status"),
    [(40029, 401), (40163, 401), (40226, 401), (45011, 429), (-1, 500), (40001, 500)],
)
def test_login_code_errcodes_through_the_api(
    api: Api, fake: FakeWeChatServer, errcode: int, status: int
) -> None:
    fake.wechat.errcodes["code-1"] = errcode

    response = api.login("code-1")

    assert response.status_code == status
    if status == 429:
        assert int(response.headers["retry-after"]) > 0


def test_a_login_code_is_exchanged_once_and_its_answer_kept_for_a_repeat(
    api: Api, fake: FakeWeChatServer
) -> None:
    code = fake.wechat.login_code("code-1", openid="openid-1")

    first, repeat = api.login(code), api.login(code)

    assert (first.status_code, repeat.status_code) == (200, 200)
    assert first.json()["data"]["user"]["pb_id"] == repeat.json()["data"]["user"]["pb_id"]
    assert fake.wechat.calls["/sns/jscode2session"] == 1


def test_refresh_with_a_refused_code_is_400(api: Api, fake: FakeWeChatServer) -> None:
    fake.wechat.errcodes["code-1"] = 40029

    assert api.refresh(json={"users_wx_code": "code-1"}).status_code == 400


@pytest.mark.parametrize(
    ("errcode", "status"), [(40029, 400), (40163, 400), (45011, 429), (-1, 500)]
)
def test_phone_code_errcodes_through_the_api(
    api: Api, fake: FakeWeChatServer, errcode: int, status: int
) -> None:
    token = api.token_for(fake.wechat.login_code("code-1", openid="openid-1"))
    fake.wechat.errcodes["phone-1"] = errcode

    assert api.profile(token).status_code == status


def test_phone_code_of_another_user_is_400(api: Api, fake: FakeWeChatServer) -> None:
    token = api.token_for(fake.wechat.login_code("code-1", openid="openid-1"))
    fake.wechat.phone_code("phone-1", openid="openid-2", phone="13800138000")

    assert api.profile(token).status_code == 400


@pytest.mark.parametrize("fault", ["http500", "not-json", "busy", "deep", "slow", "down", "hangup"])
def test_wechat_outages_are_a_retryable_500_on_time(
    api: Api, fake: FakeWeChatServer, fault: str
) -> None:
    code = fake.wechat.login_code("code-1", openid="openid-1")
    if fault == "slow":
        fake.wechat.delay = TIMEOUT * 4
    elif fault == "down":
        fake.stop()
    else:
        fake.wechat.fault = fault

    started = time.monotonic()
    response = api.login(code)

    assert response.status_code == 500
    assert response.json()["data"] == {"retryable": True}
    assert time.monotonic() - started < TIMEOUT * 3


def test_a_login_code_whose_connection_dropped_after_sending_is_not_sent_again(
    api: Api, fake: FakeWeChatServer
) -> None:
    code = fake.wechat.login_code("code-1", openid="openid-1")
    fake.wechat.fault = "hangup"

    assert api.login(code).status_code == 500
    assert fake.wechat.calls["/sns/jscode2session"] == 1


def test_our_wrong_secret_is_a_500_and_an_error_for_the_operator(
    fake: FakeWeChatServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    container = container_against(fake, tmp_path, secret="not-the-secret")
    with TestClient(create_app(container)) as client:
        response = client.post("/pb/api/wechat/login", json={"users_wx_code": "code-1"})

    assert response.status_code == 500
    assert assert_contract(response)["data"] == {}
    assert any(
        record.levelno == logging.ERROR and "40125" in record.getMessage()
        for record in caplog.records
    )


async def test_concurrent_logins_with_one_code_share_one_wechat_call(
    fake: FakeWeChatServer, tmp_path: Path
) -> None:
    code = fake.wechat.login_code("code-1", openid="openid-1")
    fake.wechat.delay = 0.3
    async with concurrent_client(
        create_app(container_against(fake, tmp_path, timeout=10))
    ) as client:
        responses = await asyncio.gather(
            *(client.post("/pb/api/wechat/login", json={"users_wx_code": code}) for _ in range(20))
        )

    assert [response.status_code for response in responses] == [200] * 20
    assert len({response.json()["data"]["user"]["pb_id"] for response in responses}) == 1
    assert fake.wechat.calls["/sns/jscode2session"] == 1


async def test_a_hundred_profile_updates_on_a_cold_cache_fetch_one_access_token(
    fake: FakeWeChatServer, tmp_path: Path
) -> None:
    async with concurrent_client(
        create_app(container_against(fake, tmp_path, timeout=10))
    ) as client:
        tokens = []
        for n in range(100):
            login = await client.post(
                "/pb/api/wechat/login",
                json={"users_wx_code": fake.wechat.login_code(f"c{n}", openid=f"o{n}")},
            )
            tokens.append(login.json()["token"])
            fake.wechat.phone_code(f"p{n}", openid=f"o{n}", phone=f"139{n:08d}")
        responses = await asyncio.gather(
            *(
                client.post(
                    "/pb/api/wechat/profile",
                    json={"users_name": "n", "users_phone_code": f"p{n}", "users_picture": AVATAR},
                    headers={"Authorization": token},
                )
                for n, token in enumerate(tokens)
            )
        )

    assert [response.status_code for response in responses] == [200] * 100
    assert fake.wechat.calls["/cgi-bin/stable_token"] == 1
    assert fake.wechat.force_refreshes == 0


def test_an_expired_access_token_costs_one_fetch_and_one_retry(
    api: Api, fake: FakeWeChatServer
) -> None:
    token = api.token_for(fake.wechat.login_code("code-1", openid="openid-1"))
    fake.wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    assert api.profile(token).status_code == 200
    fake.wechat.expire_tokens()
    fake.wechat.phone_code("phone-2", openid="openid-1", phone="13800138001")
    phone_calls = fake.wechat.calls["/wxa/business/getuserphonenumber"]

    response = api.profile(token, users_phone_code="phone-2")

    assert response.status_code == 200
    assert response.json()["data"]["user"]["users_phone"] == "13800138001"
    assert fake.wechat.calls["/cgi-bin/stable_token"] == 2
    assert fake.wechat.calls["/wxa/business/getuserphonenumber"] == phone_calls + 2
    assert fake.wechat.force_refreshes == 0


async def test_the_transport_tells_a_refused_connect_from_a_request_that_went_out(
    fake: FakeWeChatServer,
) -> None:
    transport = new_transport()
    try:
        fake.wechat.fault = "hangup"
        with pytest.raises(httpx.RemoteProtocolError):
            await transport.handle_async_request(httpx.Request("GET", f"{fake.url}{SESSION}"))
        nobody = f"http://127.0.0.1:{free_port()}{SESSION}"
        with pytest.raises((httpx.ConnectError, httpx.ConnectTimeout)):
            await transport.handle_async_request(httpx.Request("GET", nobody))
    finally:
        await transport.aclose()
