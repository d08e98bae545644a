import asyncio
from pathlib import Path

from bai.entrypoints.container import Container
from bai.entrypoints.http.app import create_app
from tests.integration.conftest import AVATAR
from tests.support.concurrent_client import concurrent_client
from tests.support.fakes import FakeWeChatGateway


async def test_fifty_concurrent_first_logins_make_one_user(
    container: Container, wechat: FakeWeChatGateway, tmp_path: Path
) -> None:
    codes = [wechat.login_code(f"code-{n}", openid="same-openid") for n in range(50)]
    async with concurrent_client(create_app(container)) as client:
        responses = await asyncio.gather(
            *(client.post("/pb/api/wechat/login", json={"users_wx_code": code}) for code in codes)
        )
        count = (await client.post("/pb/api/system/users-count")).json()["data"]["total_users"]

    assert {response.status_code for response in responses} == {200}
    assert len({response.json()["data"]["user"]["pb_id"] for response in responses}) == 1
    statuses = sorted(response.json()["data"]["status"] for response in responses)
    assert statuses == ["login_success"] * 49 + ["register_success"]
    assert count == 1


async def test_concurrent_claims_of_one_phone_have_one_winner(
    container: Container, wechat: FakeWeChatGateway
) -> None:
    async with concurrent_client(create_app(container)) as client:
        tokens = {}
        for openid in ("openid-a", "openid-b"):
            login = await client.post(
                "/pb/api/wechat/login",
                json={"users_wx_code": wechat.login_code(openid, openid=openid)},
            )
            tokens[openid] = login.json()["token"]
        claims = [
            client.post(
                "/pb/api/wechat/profile",
                json={
                    "users_name": "n",
                    "users_picture": AVATAR,
                    "users_phone_code": wechat.phone_code(
                        f"{openid}-{n}", openid=openid, phone="13900000000"
                    ),
                },
                headers={"Authorization": token},
            )
            for openid, token in tokens.items()
            for n in range(10)
        ]
        responses = await asyncio.gather(*claims)

    winners = {r.json()["data"]["user"]["pb_id"] for r in responses if r.status_code == 200}
    assert len(winners) == 1
    assert {r.status_code for r in responses} <= {200, 400}
