"""BAI beside a live PocketBase (SPEC, PocketBase): the users, their identities and sessions
live in PocketBase, tokens issued on either side are accepted on both, and a session ended at
BAI is ended at PocketBase too."""

import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import jwt
import pytest
from litestar.testing import TestClient

from bai.adapters.pocketbase.storage import PocketBaseStorage
from bai.adapters.storage import StorageOptions
from bai.domain.entities import User
from bai.domain.errors import StorageUnavailable
from bai.domain.sessions import Session
from bai.entrypoints.http.app import create_app
from tests.integration.conftest import Api
from tests.support.apps import container_with
from tests.support.cli import Cli, Ran
from tests.support.fakes import FakeWeChatGateway, FixedClock
from tests.support.pocketbase import (
    SUPERUSER,
    PocketBase,
    first_migration_only,
    migrate_up,
    run_pocketbase,
)

USERS = "/api/collections/tbl_auth_users"
IDENTITIES = "/api/collections/tbl_auth_identities"
PROBE = "bai_rule_probe"
MAX_AGE = timedelta(days=30)  # StorageOptions' default, as the app's storage has it
T = TypeVar("T")


def pocketbase_refresh(pocketbase: PocketBase, token: str) -> httpx.Response:
    """PocketBase's own auth-refresh, as the PocketBase JS SDK calls it."""
    return httpx.post(
        f"{pocketbase.url}{USERS}/auth-refresh", headers={"Authorization": token}, timeout=10
    )


def pocketbase_with_password(pocketbase: PocketBase, *, stale_token: str) -> httpx.Response:
    """A password sign-in (the superuser's) from a client whose SDK still sends a stale token."""
    email, password = SUPERUSER
    return httpx.post(
        f"{pocketbase.url}/api/collections/_superusers/auth-with-password",
        json={"identity": email, "password": password},
        headers={"Authorization": stale_token},
        timeout=10,
    )


def user_id_of(response: httpx.Response) -> str:
    body: dict[str, Any] = response.json()
    return str(body["record"]["id"])


@pytest.fixture
def database_url(pocketbase_url: str) -> str:
    """Every test here is beside the session's PocketBase."""
    return pocketbase_url


@pytest.fixture
def clock() -> FixedClock:
    """Now: PocketBase checks a token's `exp` against its own clock."""
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def signed_in(api: Api, wechat: FakeWeChatGateway) -> tuple[str, str]:
    """A user registered by BAI's login, and the token BAI issued."""
    response = api.login(wechat.login_code("code-1", openid="openid-1"))
    assert response.status_code == 200
    return response.json()["data"]["user"]["pb_id"], response.json()["token"]


def test_pocketbase_accepts_the_token_bai_issued_and_the_one_it_renewed(
    api: Api, pocketbase_server: PocketBase, signed_in: tuple[str, str]
) -> None:
    user_id, token = signed_in

    accepted = pocketbase_refresh(pocketbase_server, token)
    renewed = api.refresh(token).json()["token"]

    assert accepted.status_code == 200, accepted.text
    assert user_id_of(accepted) == user_id
    assert pocketbase_refresh(pocketbase_server, renewed).status_code == 200


def test_a_pocketbase_rule_on_the_auth_collection_admits_bai_tokens(
    pocketbase_server: PocketBase, signed_in: tuple[str, str]
) -> None:
    rule = '@request.auth.collectionName = "tbl_auth_users"'
    if pocketbase_server.api("GET", f"/api/collections/{PROBE}").status_code == 404:
        created = pocketbase_server.api(
            "POST",
            "/api/collections",
            json={
                "name": PROBE,
                "type": "base",
                "createRule": rule,
                "fields": [{"name": "title", "type": "text"}],
            },
        )
        assert created.status_code == 200, created.text
    _, token = signed_in
    records = f"{pocketbase_server.url}/api/collections/{PROBE}/records"

    admitted = httpx.post(records, json={"title": "t"}, headers={"Authorization": token})
    anonymous = httpx.post(records, json={"title": "t"})

    assert admitted.status_code == 200, admitted.text
    assert anonymous.status_code in {400, 403}


def test_bai_accepts_tokens_pocketbase_issued(
    api: Api, pocketbase_server: PocketBase, signed_in: tuple[str, str], wechat: FakeWeChatGateway
) -> None:
    user_id, _ = signed_in
    wechat.phone_code("phone-1", openid="openid-1", phone="13800138000")
    password = {"password": "pw-" + "x" * 10, "passwordConfirm": "pw-" + "x" * 10}
    given = pocketbase_server.api(
        "PATCH", f"{USERS}/records/{user_id}", json={"email": "u@example.com", **password}
    )
    assert given.status_code == 200, given.text
    renewable = pocketbase_server.password_token("u@example.com", password["password"])
    static = pocketbase_server.impersonation_token(user_id)  # after the password: its key

    assert api.profile(static).status_code == 200
    assert api.refresh(static).json()["token"] == static  # not refreshable: back unchanged
    renewed = api.refresh(renewable)
    assert renewed.status_code == 200
    assert renewed.json()["token"] != renewable
    assert user_id_of(pocketbase_refresh(pocketbase_server, renewed.json()["token"])) == user_id


@pytest.fixture
def bai_users(database_url: str, tmp_path: Path, cli: Cli) -> Callable[[str, str], Ran]:
    """`bai users ACTION USER` as an operator runs it, beside the same PocketBase (through
    bai's entry point, in this process)."""

    def run(action: str, user_id: str) -> Ran:
        return cli(
            "users",
            action,
            user_id,
            cwd=tmp_path,
            BAI_DATABASE_URL=database_url,
            BAI_DATA_DIR=str(tmp_path),
        )

    return run


@pytest.mark.parametrize("action", ["revoke", "disable", "delete"])
def test_revoking_disabling_or_deleting_at_bai_holds_at_pocketbase(
    api: Api,
    pocketbase_server: PocketBase,
    signed_in: tuple[str, str],
    bai_users: Callable[[str, str], Ran],
    action: str,
) -> None:
    user_id, token = signed_in
    assert pocketbase_refresh(pocketbase_server, token).status_code == 200

    done = bai_users(action, user_id)

    assert done.returncode == 0, done.stderr
    assert pocketbase_refresh(pocketbase_server, token).status_code in {401, 403, 404}
    assert api.refresh(token).status_code == 401


def test_what_pocketbase_changes_bai_sees_at_once(
    api: Api, pocketbase_server: PocketBase, signed_in: tuple[str, str], wechat: FakeWeChatGateway
) -> None:
    user_id, token = signed_in
    record = f"{USERS}/records/{user_id}"

    phone = pocketbase_server.api("PATCH", record, json={"users_phone": "13900139000"})
    seen = api.login(wechat.login_code("code-2", openid="openid-1"))
    disabled = pocketbase_server.api("PATCH", record, json={"users_status": "disabled"})

    assert phone.status_code == 200
    assert disabled.status_code == 200
    assert seen.json()["data"]["user"]["users_phone"] == "13900139000"
    assert api.refresh(token).status_code == 401
    assert api.profile(token).status_code == 401


def test_users_count_is_pocketbase_s_own_total(
    api: Api, pocketbase_server: PocketBase, wechat: FakeWeChatGateway
) -> None:
    for n in range(3):
        assert api.login(wechat.login_code(f"c{n}", openid=f"o{n}")).status_code == 200
    pocketbase_server.create_user(
        openid="made-in-pocketbase", password="p" * 12, passwordConfirm="p" * 12
    )

    total = pocketbase_server.api("GET", f"{USERS}/records", params={"perPage": 1}).json()

    assert api.count() == total["totalItems"] == 4


def test_revoking_inside_pocketbase_holds_at_bai(
    api: Api, pocketbase_server: PocketBase, signed_in: tuple[str, str]
) -> None:
    user_id, token = signed_in
    assert api.refresh(token).status_code == 200

    # A new password is how PocketBase ends a user's sessions: it draws a new tokenKey.
    changed = pocketbase_server.api(
        "PATCH",
        f"{USERS}/records/{user_id}",
        json={"password": "a-new-password", "passwordConfirm": "a-new-password"},
    )

    assert changed.status_code == 200
    assert api.refresh(token).status_code == 401
    assert api.profile(token).status_code == 401


def bai_migrate(cli: Cli, url: str, data_dir: Path) -> Ran:
    """`bai migrate` as an operator runs it first, beside the PocketBase at `url` (through
    bai's entry point, in this process)."""
    return cli("migrate", cwd=data_dir, BAI_DATABASE_URL=url, BAI_DATA_DIR=str(data_dir))


@pytest.mark.parametrize("problem", ["wrong password", "nobody listening"])
def test_bai_will_not_start_beside_a_pocketbase_it_cannot_use(
    pocketbase_server: PocketBase, tmp_path: Path, cli: Cli, problem: str
) -> None:
    url = pocketbase_server.storage_url
    if problem == "wrong password":
        url = url.replace(":bai-test-superuser-password@", ":not-the-password@")
    else:
        url = url.rsplit(":", 1)[0] + ":1"

    done = bai_migrate(cli, url, tmp_path)

    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("bai: BAI_DATABASE_URL (pocketbase://")
    reason = {
        "wrong password": "PocketBase refused BAI_DATABASE_URL's superuser (400)",
        "nobody listening": "ConnectError: All connection attempts failed",
    }
    assert line.endswith(f"cannot be reached or used: {reason[problem]}")


def test_a_secret_rotated_inside_pocketbase_is_followed_by_bai(
    pocketbase_server: PocketBase, database_url: str, tmp_path: Path, wechat: FakeWeChatGateway
) -> None:
    container = container_with(tmp_path, {"BAI_DATABASE_URL": database_url}, wechat=wechat)
    options = container.config.storage()
    container.config.storage.from_value(replace(options, secret_check_seconds=0.1))
    with TestClient(create_app(container)) as client:
        login = client.post(
            "/pb/api/wechat/login", json={"users_wx_code": wechat.login_code("r", openid="o-r")}
        )
        old = login.json()["token"]

        rotated = pocketbase_server.api(
            "PATCH",
            "/api/collections/tbl_auth_users",
            json={"authToken": {"secret": "n" * 50, "duration": 432000}},
        )
        assert rotated.status_code == 200, rotated.text
        time.sleep(0.5)  # a few checks

        refused = client.post("/pb/api/system/refresh-token", headers={"Authorization": old})
        again = client.post(
            "/pb/api/wechat/login", json={"users_wx_code": wechat.login_code("r2", openid="o-r")}
        )

    assert pocketbase_refresh(pocketbase_server, old).status_code == 401
    assert refused.status_code == 401
    assert pocketbase_refresh(pocketbase_server, again.json()["token"]).status_code == 200


def test_a_password_that_breaks_the_url_is_never_quoted_back(tmp_path: Path, cli: Cli) -> None:
    done = bai_migrate(cli, "pocketbase://bai%40x.com:s3cr#et@127.0.0.1:8090", tmp_path)

    assert done.returncode == 2
    assert "s3cr" not in done.stdout + done.stderr
    assert "expected pocketbase://SUPERUSER_EMAIL:PASSWORD@HOST:PORT" in done.stderr


def identity_records(pocketbase: PocketBase, user_id: str) -> list[dict[str, Any]]:
    """The user's `tbl_auth_identities` records, as a superuser reads them."""
    response = pocketbase.api(
        "GET", f"{IDENTITIES}/records", params={"filter": f"user = '{user_id}'"}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_user_made_inside_pocketbase_gets_its_identity_at_its_first_sign_in(
    api: Api, pocketbase_server: PocketBase, wechat: FakeWeChatGateway
) -> None:
    made = pocketbase_server.create_user(
        openid="made-in-pocketbase", password="p" * 12, passwordConfirm="p" * 12
    )
    assert identity_records(pocketbase_server, made["id"]) == []

    signed_in = api.login(wechat.login_code("c", openid="made-in-pocketbase"))

    assert signed_in.status_code == 200
    assert signed_in.json()["data"]["user"]["pb_id"] == made["id"]
    assert len(identity_records(pocketbase_server, made["id"])) == 1
    assert api.count() == 1


def test_a_user_deleted_inside_pocketbase_takes_its_identities_along(
    api: Api, pocketbase_server: PocketBase, signed_in: tuple[str, str], wechat: FakeWeChatGateway
) -> None:
    user_id, _ = signed_in
    assert len(identity_records(pocketbase_server, user_id)) == 1

    deleted = pocketbase_server.api("DELETE", f"{USERS}/records/{user_id}")

    assert deleted.status_code == 204, deleted.text
    assert identity_records(pocketbase_server, user_id) == []
    again = api.login(wechat.login_code("code-2", openid="openid-1"))
    assert again.json()["data"]["user"]["pb_id"] != user_id


def test_bais_own_tables_are_closed_to_pocketbase_users(
    pocketbase_server: PocketBase, signed_in: tuple[str, str]
) -> None:
    _, token = signed_in
    others = (
        "/api/collections/tbl_identity_conflicts",
        "/api/collections/tbl_auth_sessions",
        "/api/collections/tbl_wechat_push_events",
        "/api/collections/tbl_bai_operators",
        "/api/collections/tbl_bai_audit",
    )
    for collection in (IDENTITIES, *others):
        listed = httpx.get(
            f"{pocketbase_server.url}{collection}/records", headers={"Authorization": token}
        )
        assert listed.status_code == 403, listed.text


def test_an_audit_entry_cannot_be_changed_or_deleted_through_pocketbase_s_api(
    pocketbase_server: PocketBase, signed_in: tuple[str, str]
) -> None:
    _, token = signed_in
    entries = "/api/collections/tbl_bai_audit/records"
    fields = {"id": "a00000000000001", "at": "2026-05-06 07:08:09.123Z", "actor": "cli:ops"}
    assert pocketbase_server.api("POST", entries, json=fields).status_code == 200
    entry = f"{pocketbase_server.url}{entries}/a00000000000001"

    for method in ("PATCH", "DELETE"):
        for headers in ({"Authorization": token}, {}):
            refused = httpx.request(method, entry, json={"actor": "x"}, headers=headers)
            assert refused.status_code == 403, refused.text

    assert pocketbase_server.api("GET", f"{entries}/a00000000000001").json()["actor"] == "cli:ops"


def test_the_identities_migration_refuses_users_who_share_a_unionid_naming_them(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "pb_data"
    assert migrate_up(data_dir, first_migration_only(tmp_path)).returncode == 0
    with sqlite3.connect(data_dir / "data.db") as db:
        db.executemany(
            "INSERT INTO tbl_auth_users (id, tokenKey, openid, unionid) VALUES (?, ?, ?, ?)",
            [(f"{n}" * 15, f"key-{n}", f"o-{n}", "u-shared" if n < 3 else "") for n in range(1, 5)],
        )
    db.close()

    refused = migrate_up(data_dir)

    assert refused.returncode != 0
    assert "share a unionid" in refused.stderr
    assert "111111111111111 and 222222222222222" in refused.stderr
    with sqlite3.connect(data_dir / "data.db") as db:
        db.execute("UPDATE tbl_auth_users SET unionid = 'u-other' WHERE id = '222222222222222'")
    db.close()
    assert migrate_up(data_dir).returncode == 0


@pytest.fixture
def unmigrated_pocketbase(tmp_path: Path) -> Iterator[PocketBase]:
    """A PocketBase set up before identities existed, with today's hook."""
    yield from run_pocketbase(tmp_path, first_migration_only(tmp_path))


# What each store that a later migration makes is asked first, by the collection it needs.
FIRST_ASKED: dict[str, Callable[[PocketBaseStorage], Awaitable[object]]] = {
    "tbl_auth_identities": lambda storage: storage.identities.find("wxapp", "o-1"),
    "tbl_auth_sessions": lambda storage: storage.sessions.holder("u" * 15, "s" * 15),
    "tbl_wechat_push_events": lambda storage: storage.push_events.seen("0" * 64),
    "tbl_bai_operators": lambda storage: storage.operators.count(),
    "tbl_bai_audit": lambda storage: storage.audit.recent(limit=1),
}


@pytest.mark.parametrize("collection", list(FIRST_ASKED))
async def test_a_store_before_its_migration_says_which_to_run(
    unmigrated_pocketbase: PocketBase, collection: str
) -> None:
    storage = PocketBaseStorage(
        StorageOptions(url=unmigrated_pocketbase.storage_url), clock=FixedClock()
    )
    try:
        with pytest.raises(StorageUnavailable) as refused:
            await FIRST_ASKED[collection](storage)
    finally:
        await storage.close()

    assert f"no {collection}: run contrib/pocketbase/pb_migrations" in refused.value.reason


SESSION_RULE = '@request.auth.id != ""'
SESSION_PROBE = "bai_session_probe"
_session_numbers = iter(range(10**6))


@dataclass(frozen=True)
class Beside:
    """BAI's storage beside the session's PocketBase, run on the app's own event loop, and the
    signing a token of PocketBase's auth collection needs."""

    api: Api
    pocketbase: PocketBase

    def run(self, call: "Callable[..., Awaitable[T]]", *args: Any, **kwargs: Any) -> T:
        return self.api.client.blocking_portal.call(partial(call, *args, **kwargs))

    @property
    def storage(self) -> PocketBaseStorage:
        storage: PocketBaseStorage = self.api.container.adapters.storage()
        return storage

    def user(self, pb_id: str) -> User:
        user = self.run(self.storage.users.get, pb_id)
        assert user is not None
        return user

    def start(self, user: User, *, created: datetime) -> Session:
        session = Session(
            id=f"t{next(_session_numbers):014d}",
            pb_id=user.pb_id,
            app="wxbeside00000001",
            created=created,
            renewed=created,
        )
        self.run(self.storage.sessions.start, session, limit=10)
        return session

    def token(self, user: User, **claims: Any) -> str:
        """A token of `user` minted by hand, as PocketBase signs them (`sid` among `claims`)."""
        signing = self.api.container.adapters.signing()
        every = {
            "collectionId": signing.collection_id,
            "exp": int(time.time()) + 3600,
            "id": user.pb_id,
            "refreshable": True,
            "type": "auth",
        }
        return jwt.encode(every | claims, user.token_key + signing.secret, algorithm="HS256")

    def claims(self, token: str, user: User) -> dict[str, Any]:
        """The claims of a token PocketBase signed for `user`, its signature checked."""
        key = user.token_key + self.api.container.adapters.signing().secret
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=["HS256"])
        return claims

    def rule_probe(self, token: str) -> httpx.Response:
        """A record created in a collection whose rule admits any signed-in user."""
        collection = f"/api/collections/{SESSION_PROBE}"
        if self.pocketbase.api("GET", collection).status_code == 404:
            created = self.pocketbase.api(
                "POST",
                "/api/collections",
                json={
                    "name": SESSION_PROBE,
                    "type": "base",
                    "createRule": SESSION_RULE,
                    "fields": [{"name": "title", "type": "text"}],
                },
            )
            assert created.status_code == 200, created.text
        return httpx.post(
            f"{self.pocketbase.url}{collection}/records",
            json={"title": "t"},
            headers={"Authorization": token},
            timeout=10,
        )


@pytest.fixture
def beside(api: Api, pocketbase_server: PocketBase) -> Beside:
    return Beside(api, pocketbase_server)


def refused_as_pocketbase_refuses(response: httpx.Response) -> bool:
    body = response.json()
    return (
        response.status_code == 401
        and body["status"] == 401
        and set(body)
        == {
            "status",
            "message",
            "data",
        }
    )


@pytest.mark.parametrize("why", ["ended at BAI", "past its lifetime", "missing", "another's"])
def test_pocketbase_refuses_a_token_whose_session_is_not_open(
    beside: Beside, signed_in: tuple[str, str], wechat: FakeWeChatGateway, why: str
) -> None:
    user = beside.user(signed_in[0])
    now = datetime.now(UTC)
    session = beside.start(user, created=now - MAX_AGE if why == "past its lifetime" else now)
    sid = {"missing": "t99999999999999"}.get(why, session.id)
    if why == "another's":
        other = beside.api.login(wechat.login_code("code-other", openid="openid-other"))
        user = beside.user(other.json()["data"]["user"]["pb_id"])
    token = beside.token(user, sid=sid)
    if why == "ended at BAI":
        assert beside.pocketbase.api("GET", "/api/health").status_code == 200
        assert pocketbase_refresh(beside.pocketbase, token).status_code == 200
        assert beside.rule_probe(token).status_code == 200
        assert beside.run(beside.storage.sessions.end, user.pb_id, sid, at=now)

    refreshed = pocketbase_refresh(beside.pocketbase, token)
    probed = beside.rule_probe(f"Bearer {token}")
    signed_in_anew = pocketbase_with_password(beside.pocketbase, stale_token=token)

    assert refused_as_pocketbase_refuses(refreshed), refreshed.text
    assert probed.status_code in {400, 401, 403}, probed.text  # a guest's request
    assert signed_in_anew.status_code == 200, signed_in_anew.text  # the stale token is no bar


def test_pocketbase_renews_an_open_sessions_token_keeping_its_sid(
    beside: Beside, signed_in: tuple[str, str]
) -> None:
    user = beside.user(signed_in[0])
    began = datetime.now(UTC) - MAX_AGE + timedelta(hours=1)  # an hour of its lifetime left
    session = beside.start(user, created=began)
    token = beside.token(user, sid=session.id)

    refreshed = pocketbase_refresh(beside.pocketbase, f"Bearer {token}")

    assert refreshed.status_code == 200, refreshed.text
    renewed = refreshed.json()["token"]
    claims = beside.claims(renewed, user)
    assert list(claims) == ["collectionId", "exp", "id", "refreshable", "sid", "type"]
    assert claims["id"] == user.pb_id
    assert claims["sid"] == session.id
    assert claims["refreshable"] is True
    assert claims["type"] == "auth"
    assert time.time() + 3000 < claims["exp"] <= (began + MAX_AGE).timestamp()
    held = beside.run(beside.storage.sessions.holder, user.pb_id, session.id)
    assert held is not None
    assert held[1] is not None
    assert held[1].renewed > began
    assert pocketbase_refresh(beside.pocketbase, renewed).status_code == 200
    assert beside.rule_probe(renewed).status_code == 200
    assert beside.api.refresh(renewed).status_code == 200


def test_a_token_without_sid_works_at_pocketbase_as_before(
    beside: Beside, signed_in: tuple[str, str]
) -> None:
    user = beside.user(signed_in[0])
    token = beside.token(user)

    refreshed = pocketbase_refresh(beside.pocketbase, token)

    assert refreshed.status_code == 200, refreshed.text
    assert "sid" not in beside.claims(refreshed.json()["token"], user)
    assert beside.rule_probe(token).status_code == 200
