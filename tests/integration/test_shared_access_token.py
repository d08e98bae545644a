"""With Redis, one access-token fetch serves every process, and a refused token is replaced
for all of them."""

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from bai.adapters.redis.client import redis_client
from bai.adapters.redis.shared_cache import RedisSharedCache
from bai.adapters.system.clock import SystemClock
from bai.adapters.wechat.api import WeChatApi
from bai.adapters.wechat.server_gateway import WeChatServerGateway, credentials_of
from bai.domain.values import PhoneCode, PhoneNumber


class WeChat:
    """Issues numbered tokens and accepts only those not yet expired."""

    def __init__(self, appid: str) -> None:
        self.appid = appid
        self.fetches = 0
        self.expired: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            self.fetches += 1
            return httpx.Response(
                200, json={"access_token": f"T{self.fetches}", "expires_in": 7200}
            )
        if request.url.params["access_token"] in self.expired:
            return httpx.Response(200, json={"errcode": 42001})
        info = {
            "purePhoneNumber": "13800138000",
            "countryCode": "86",
            "watermark": {"appid": self.appid},
        }
        return httpx.Response(200, json={"errcode": 0, "phone_info": info})


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = redis_client(redis_url)
    assert client is not None
    yield client
    await client.aclose()


def process(wechat: WeChat, redis: Redis) -> WeChatServerGateway:
    api = WeChatApi(httpx.MockTransport(wechat), base_url="https://wechat.test", total_timeout=5)
    apps = credentials_of(
        {wechat.appid: "s"}, api=api, shared=RedisSharedCache(redis), clock=SystemClock()
    )
    return WeChatServerGateway(api=api, apps=apps)


async def test_processes_share_one_access_token(redis: Redis) -> None:
    wechat = WeChat(f"wx-{secrets.token_hex(4)}")
    first, second = process(wechat, redis), process(wechat, redis)

    assert await first.phone_number(PhoneCode("p"), openid="o", app=wechat.appid) == PhoneNumber(
        "13800138000"
    )
    assert await second.phone_number(PhoneCode("p"), openid="o", app=wechat.appid) == PhoneNumber(
        "13800138000"
    )

    assert wechat.fetches == 1


async def test_a_refused_token_is_replaced_once_for_everyone(redis: Redis) -> None:
    wechat = WeChat(f"wx-{secrets.token_hex(4)}")
    first, second = process(wechat, redis), process(wechat, redis)
    await first.phone_number(PhoneCode("p"), openid="o", app=wechat.appid)
    await second.phone_number(PhoneCode("p"), openid="o", app=wechat.appid)
    wechat.expired.add("T1")

    await first.phone_number(PhoneCode("p"), openid="o", app=wechat.appid)
    await second.phone_number(PhoneCode("p"), openid="o", app=wechat.appid)

    assert wechat.fetches == 2
    stored = await redis.get(f"bai:cache:wechat-access-token:{wechat.appid}")
    assert isinstance(stored, str)
    assert stored.endswith("|T2")
