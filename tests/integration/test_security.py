"""What a hostile client might try, answered as SPEC says."""

import hashlib
import socket
import sqlite3
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from bai.adapters.sqlalchemy.engine import create_engine
from bai.domain.entities import UserStatus
from bai.entrypoints.account_actions import account_actions
from tests.integration.conftest import Api
from tests.integration.test_served import serving
from tests.support.apps import SECRET
from tests.support.builders import a_user
from tests.support.databases import memory_only
from tests.support.fakes import TEST_APP, FakeWeChatGateway, FixedClock
from tests.support.forgery import forgeries

FORGERY_KINDS = list(forgeries(a_user(), a_user(), FixedClock(), SECRET))


@memory_only
@pytest.mark.parametrize("kind", FORGERY_KINDS)
def test_forged_tokens_are_401(api: Api, clock: FixedClock, kind: str) -> None:
    user, other = a_user(), a_user()
    api.seed(user)
    api.seed(other)
    forged = forgeries(user, other, clock, api.token_secret)[kind]

    assert api.profile(forged).status_code == 401
    assert api.refresh(forged).status_code == 401


@pytest.mark.parametrize("action", ["disable", "revoke", "delete"])
def test_tokens_of_disabled_revoked_or_deleted_users_are_401(api: Api, action: str) -> None:
    user = a_user()
    token = api.seed(user)
    use_case = account_actions(api.container.use_cases)[action]

    api.client.blocking_portal.call(use_case.execute, user.pb_id)

    assert api.profile(token).status_code == 401
    assert api.refresh(token).status_code == 401


def test_a_login_body_cannot_set_protected_fields(api: Api, wechat: FakeWeChatGateway) -> None:
    body = {
        "users_wx_code": wechat.login_code("c", openid="real-openid"),
        "openid": "chosen-openid",
        "pb_id": "chosenid0000000",
        "users_status": "disabled",
        "users_phone": "13800000000",
        "token_key": "K" * 50,
        "users_rank_level": 99,
    }

    user = api.post("/wechat/login", json=body).json()["data"]["user"]

    assert (user["openid"], user["users_status"], user["users_phone"]) == (
        "real-openid",
        "active",
        "",
    )
    assert user["pb_id"] != "chosenid0000000"
    assert user["users_rank_level"] == 0


def test_a_profile_body_cannot_set_protected_fields(api: Api, wechat: FakeWeChatGateway) -> None:
    token = api.token_for(wechat.login_code("c", openid="real-openid"))
    wechat.phone_code("phone-1", openid="real-openid", phone="13800138000")

    response = api.profile(
        token,
        openid="chosen-openid",
        users_phone="13999999999",
        users_status="disabled",
        token_key="K" * 50,
        pb_id="chosenid0000000",
        company_id="ACME",
    )

    user = response.json()["data"]["user"]
    assert response.status_code == 200
    assert (user["openid"], user["users_phone"], user["users_status"]) == (
        "real-openid",
        "13800138000",
        "active",
    )
    assert user["company_id"] == ""
    assert api.refresh(token).status_code == 200, "the token key was not replaced"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `bai serve` on memory:// for the checks of raw requests."""
    with serving(tmp_path_factory.mktemp("security"), BAI_DATABASE_URL="memory://") as (base, _):
        yield base


def raw_request(base: str, header_block: bytes) -> bytes:
    address = urlsplit(base)
    with socket.create_connection(
        (address.hostname or "127.0.0.1", address.port or 80), timeout=5
    ) as connection:
        connection.sendall(
            b"POST /pb/api/system/users-count HTTP/1.1\r\nHost: bai\r\nContent-Length: 0\r\n"
            + header_block
            + b"Connection: close\r\n\r\n"
        )
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "header_block",
    [
        b"X-Request-ID: abc\rSet-Cookie: pwned=1\r\n",
        b"X-Request-ID: abc\nSet-Cookie: pwned=1\r\n",
        b"X-Request-ID: abc%0d%0aSet-Cookie: pwned=1\r\n",
        b"Authorization: Bearer x\rX-Injected: 1\r\n",
    ],
)
def test_cr_and_lf_in_headers_never_reach_the_response(served: str, header_block: bytes) -> None:
    answer = raw_request(served, header_block)

    status_line, _, rest = answer.partition(b"\r\n")
    headers = rest.split(b"\r\n\r\n", 1)[0].lower()
    assert status_line.split()[1] in {b"200", b"400"}
    assert b"set-cookie" not in headers
    assert b"x-injected" not in headers
    assert b"pwned" not in headers


def test_disabled_users_cannot_log_in_either(api: Api, wechat: FakeWeChatGateway) -> None:
    api.seed(a_user(openid="openid-1", status=UserStatus.DISABLED))

    assert api.login(wechat.login_code("c", openid="openid-1")).status_code == 401


def ledger_rows(
    api: Api, database_url: str, request: pytest.FixtureRequest
) -> list[tuple[str, ...]]:
    """Every row of the shared login code ledger, as text."""
    if database_url.startswith("pocketbase"):  # the hook's table in PocketBase's data.db
        data_dir = request.getfixturevalue("pocketbase_server").data_dir
        with sqlite3.connect(data_dir / "data.db") as db:
            rows = [tuple(map(str, row)) for row in db.execute("SELECT * FROM _bai_login_codes")]
        db.close()
        return rows
    engine = create_engine(database_url, pool_size=1)

    async def stored() -> list[tuple[str, ...]]:
        async with engine.connect() as connection:
            result = await connection.execute(text("SELECT * FROM tbl_login_codes"))
            rows = [tuple(str(value) for value in row) for row in result]
        await engine.dispose()
        return rows

    return api.client.blocking_portal.call(stored)


def test_the_shared_ledger_keeps_a_hash_of_the_code_never_the_code(
    api: Api, wechat: FakeWeChatGateway, database_url: str, request: pytest.FixtureRequest
) -> None:
    code = wechat.login_code("a-secret-login-code", openid="o-ledger")
    assert api.login(code).status_code == 200
    if database_url.startswith("memory"):
        return  # one process: nothing is stored outside it

    rows = ledger_rows(api, database_url, request)

    keyed = f"{TEST_APP}\n{code}"  # by app and code: an answer is an openid of one app
    assert [row[0] for row in rows] == [hashlib.sha256(keyed.encode()).hexdigest()]
    assert not any(code in value for row in rows for value in row)
