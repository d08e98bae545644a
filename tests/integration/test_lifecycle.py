"""SIGTERM drains in-flight requests before the server exits, with several workers."""

import signal
import threading
from pathlib import Path

import httpx
import pytest
from devtools.fake_wechat_server import FakeWeChatServer

from tests.integration.test_served import start_server


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_lets_in_flight_requests_finish(
    fake: FakeWeChatServer, tmp_path: Path, workers: str
) -> None:
    process, base, _ = start_server(
        tmp_path,
        BAI_WORKERS=workers,
        BAI_WECHAT_APPID=fake.wechat.appid,
        BAI_WECHAT_SECRET=fake.wechat.secret,
        BAI_WECHAT_API_BASE=fake.url,
    )
    fake.wechat.login_code("slow-code", openid="openid-1")
    fake.wechat.delay = 1.5
    answers: list[int] = []
    request = threading.Thread(
        target=lambda: answers.append(
            httpx.post(
                f"{base}/pb/api/wechat/login", json={"users_wx_code": "slow-code"}, timeout=10
            ).status_code
        )
    )
    request.start()
    assert fake.wechat.login_asked.wait(10)  # the request is in flight, waiting for WeChat

    process.send_signal(signal.SIGTERM)
    request.join(timeout=15)
    exit_code = process.wait(timeout=30)

    assert answers == [200]
    assert exit_code == 0
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/pb/api/health", timeout=1)
