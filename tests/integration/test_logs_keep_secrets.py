"""No log line carries the app secret, access tokens, codes, session keys, phone numbers or
our own tokens: not ours, not httpx's, whatever route or fault produced it."""

import logging
import secrets
from pathlib import Path

import pytest
from devtools.fake_wechat_server import FakeWeChatServer
from litestar.testing import TestClient

from bai.entrypoints.http.app import create_app
from tests.integration.conftest import Api
from tests.integration.test_wechat_over_http import container_against
from tests.support.apps import SECRET


def unique(label: str) -> str:
    return f"{label}-{secrets.token_hex(6)}"


def test_no_secret_reaches_any_log(
    fake: FakeWeChatServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wechat = fake.wechat
    login, again, refresh_code = unique("LOGIN"), unique("LOGIN"), unique("LOGIN")
    unknown, slow, refused_setup = unique("LOGIN"), unique("LOGIN"), unique("LOGIN")
    phone_code, second_phone_code, refused_phone = unique("PHONE"), unique("PHONE"), unique("PHONE")
    phones = ["13912345678", "13987654321"]
    secrets_seen: list[str] = [
        SECRET,
        wechat.secret,
        login,
        unknown,
        slow,
        refused_setup,
        again,
        refresh_code,
        phone_code,
        second_phone_code,
        refused_phone,
        *phones,
    ]
    container = container_against(fake, tmp_path)
    with TestClient(create_app(container)) as client:
        api = Api(client, container)
        token = api.token_for(wechat.login_code(login, openid="openid-1", unionid="union-secret-1"))
        secrets_seen.append(token)
        wechat.phone_code(phone_code, openid="openid-1", phone=phones[0])
        assert api.profile(token, users_phone_code=phone_code).status_code == 200
        wechat.expire_tokens()
        wechat.phone_code(second_phone_code, openid="openid-1", phone=phones[1])
        assert api.profile(token, users_phone_code=second_phone_code).status_code == 200
        assert api.profile(token, users_phone_code=refused_phone).status_code == 400
        assert api.login(unknown).status_code == 401
        wechat.errcodes[again] = 45011
        assert api.login(again).status_code == 429
        refreshed = api.refresh(token).json()["token"]
        secrets_seen.append(refreshed)
        wechat.login_code(refresh_code, openid="openid-1")
        assert (
            api.refresh("expired.bearer.token", json={"users_wx_code": refresh_code}).status_code
            == 200
        )
        api.count()
        client.get("/pb/api/health")
        for fault in ("http500", "not-json", "busy"):
            wechat.fault = fault
            assert api.login(unique("LOGIN")).status_code == 500
        wechat.fault = ""
        wechat.delay = 2
        assert api.login(wechat.login_code(slow, openid="openid-1")).status_code == 500
        wechat.delay = 0

    wrong = container_against(fake, tmp_path, secret="wrong-app-secret-123")
    with TestClient(create_app(wrong)) as client:
        wechat.login_code(refused_setup, openid="openid-1")
        body = {"users_wx_code": refused_setup}
        assert client.post("/pb/api/wechat/login", json=body).status_code == 500
    secrets_seen += [
        "wrong-app-secret-123",
        *wechat.issued_tokens,
        *wechat.session_keys,
        "union-secret-1",
    ]

    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert "jscode2session" in logged, (
        "the test must see httpx's request lines to prove they are clean"
    )
    leaked = [secret for secret in secrets_seen if secret in logged]
    assert leaked == []
