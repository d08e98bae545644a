"""A scripted WeChat for `httpx.MockTransport`, and the gateway wired to it."""

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bai.adapters.wechat.api import WeChatApi
from bai.adapters.wechat.server_gateway import WeChatServerGateway, credentials_of
from tests.support.fakes import FixedClock

APPID, SECRET = "wx-app-1", "app-secret-1"
Handler = Callable[[httpx.Request], httpx.Response]


def answer(
    body: Any, *, status: int = 200, content_type: str = "application/json"
) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers={"Content-Type": content_type})


class WeChatScript:
    """Routes requests to per-path handlers and keeps every request it saw."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[str, Handler] = {
            "/cgi-bin/stable_token": lambda _: answer(
                {"access_token": f"TOKEN-{self.count('stable')}", "expires_in": 7200}
            ),
        }

    def count(self, fragment: str) -> int:
        return sum(fragment in request.url.path for request in self.requests)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.routes[request.url.path](request)


@pytest.fixture
def script() -> WeChatScript:
    return WeChatScript()


@pytest.fixture
def monotonic() -> FixedClock:
    return FixedClock()


@pytest.fixture
def gateway(script: WeChatScript, monotonic: FixedClock) -> WeChatServerGateway:
    api = WeChatApi(httpx.MockTransport(script), base_url="https://wechat.test", total_timeout=5)
    apps = credentials_of({APPID: SECRET}, api=api, shared=None, clock=monotonic)
    return WeChatServerGateway(api=api, apps=apps)


def phone_reply(
    country: Any = "86", pure: str = "13800138000", appid: str = APPID
) -> dict[str, Any]:
    return {
        "errcode": 0,
        "errmsg": "ok",
        "phone_info": {
            "phoneNumber": pure if str(country) == "86" else f"+{country}{pure}",
            "purePhoneNumber": pure,
            "countryCode": country,
            "watermark": {"timestamp": 1700000000, "appid": appid},
        },
    }
