"""jscode2session answers that are not what WeChat documents, served over PostgreSQL without
Redis: a retryable 500 in the envelope, one log line without a traceback, and the outcome
settled in the login code ledger at once, so a retry of the code gets the same answer without
a second exchange of a single-use code."""

import logging
import secrets
from pathlib import Path

import pytest
from devtools.fake_wechat_server import FakeWeChat, FakeWeChatServer
from litestar.testing import TestClient

from bai.entrypoints.http.app import create_app
from tests.integration.conftest import Api
from tests.integration.test_wechat_over_http import container_against

ODD_ANSWERS = ["nested 100,000 deep", "errcode 40001", "openid over 128", "unionid with NUL"]


def answer_oddly(wechat: FakeWeChat, odd: str, code: str) -> None:
    match odd:
        case "nested 100,000 deep":
            wechat.fault = "deep"
        case "errcode 40001":
            wechat.errcodes[code] = 40001
        case "openid over 128":
            wechat.login_code(code, openid="o" * 129)
        case "unionid with NUL":
            wechat.login_code(code, openid="openid-1", unionid="union\x00")


@pytest.mark.parametrize("odd", ODD_ANSWERS)
def test_an_odd_answer_is_a_retryable_500_and_a_retry_of_the_code_gets_it_without_asking_again(
    fake: FakeWeChatServer,
    tmp_path: Path,
    postgresql_url: str,
    caplog: pytest.LogCaptureFixture,
    odd: str,
) -> None:
    caplog.set_level(logging.INFO)
    code = f"LOGIN-{secrets.token_hex(6)}"
    answer_oddly(fake.wechat, odd, code)
    container = container_against(fake, tmp_path, database_url=postgresql_url)
    with TestClient(create_app(container)) as client:
        api = Api(client, container)
        first, retry = api.login(code), api.login(code)

    assert (first.status_code, retry.status_code) == (500, 500)
    assert first.json()["data"] == {"retryable": True}
    assert retry.json() == first.json()
    assert fake.wechat.calls["/sns/jscode2session"] == 1
    assert [record.name for record in caplog.records].count("bai.wechat") == 1
    assert all(record.exc_info is None for record in caplog.records)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Traceback" not in logged
    assert code not in logged
    assert fake.wechat.secret not in logged
