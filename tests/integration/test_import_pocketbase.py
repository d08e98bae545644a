"""`bai import-pocketbase` end to end: accounts made and tokens issued by a real PocketBase,
imported into SQLite and PostgreSQL, then used at BAI (SPEC, PocketBase: "Moving off
PocketBase")."""

import asyncio
import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from bai.adapters.backends import storage_for
from bai.adapters.pocketbase.client import PocketBaseClient
from bai.adapters.pocketbase.data_dir import PocketBaseDataDir
from bai.adapters.pocketbase.identity_store import PocketBaseIdentityStore
from bai.adapters.pocketbase.login_code_ledger import PocketBaseLoginCodeLedger
from bai.adapters.pocketbase.session_store import PocketBaseSessionStore
from bai.adapters.sqlalchemy.account_import import IDENTITY_HELD, NO_USER
from bai.adapters.storage import StorageOptions
from bai.adapters.system.clock import SystemClock
from bai.domain.entities import User
from bai.domain.identities import Identity
from bai.domain.sessions import Session
from bai.entrypoints.config.settings import load_settings
from bai.entrypoints.http.app import create_app
from bai.entrypoints.wiring import container_for
from bai.ports.account_import import Added, Unreadable
from tests.support.builders import EPOCH, a_user
from tests.support.data_dirs import BAI, ImportRun
from tests.support.pocketbase import run_pocketbase

PASSWORD = "a-user-password-123"
LOGIN_CODE = "moved-user-code"


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def sandbox_openid(code: str) -> str:
    """The openid BAI's sandbox WeChat gives `code` (README, Sandbox)."""
    return f"sbx_{hashlib.sha256(code.encode()).hexdigest()[:24]}"


@dataclass(frozen=True)
class Moved:
    """A PocketBase data directory after a team's use, and what its users hold."""

    data_dir: Path
    secret: str
    record: dict[str, Any]
    password_token: str
    impersonation_token: str
    users: int


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moved]:
    folder = tmp_path_factory.mktemp("pocketbase")
    for pocketbase in run_pocketbase(folder):
        pocketbase.api(
            "POST",
            "/api/collections/tbl_company/records",
            json={"company_id": "c-1", "company_name": "示例公司"},
        ).raise_for_status()
        record = pocketbase.create_user(
            email="moved@example.com",
            password=PASSWORD,
            passwordConfirm=PASSWORD,
            openid=sandbox_openid(LOGIN_CODE),
            users_id="10000001",
            users_idtype="WeChat",
            users_status="active",
            users_name="迁移用户",
            users_phone="13800138000",
            users_picture="https://cdn.example.com/a.png",
            users_promo_code="ABCDEFGH",
            users_rank_level=3,
            company_id="c-1",
        )
        for n in range(3):
            pocketbase.create_user(
                openid=f"other-{n}",
                users_id=f"2000000{n}",
                password=PASSWORD,
                passwordConfirm=PASSWORD,
            )
        password_token = pocketbase.password_token("moved@example.com", PASSWORD)
        impersonation_token = pocketbase.impersonation_token(record["id"])
        pocketbase.stop()
        with sqlite3.connect(pocketbase.data_dir / "data.db") as db:
            (options,) = db.execute(
                "SELECT options FROM _collections WHERE name = 'tbl_auth_users'"
            ).fetchone()
        secret = json.loads(options)["authToken"]["secret"]
        yield Moved(
            pocketbase.data_dir, secret, record, password_token, impersonation_token, users=4
        )


def test_every_account_moves_and_nobody_is_logged_out(
    moved: Moved,
    target_url: str,
    tmp_path: Path,
    import_pocketbase: ImportRun,
) -> None:
    secret_file = tmp_path / "secret"

    done = import_pocketbase(target_url, moved.data_dir, secret_file)

    assert done.returncode == 0, done.stderr
    assert "BAI_COLLECTION_ID=pbc_421601843" in done.stdout.splitlines()
    assert not [line for line in done.stdout.splitlines() if line.startswith("{")]  # no log
    assert "users: 4 added, 0 already there, 0 refused" in done.stdout
    assert "companies: 1 added, 0 already there, 0 refused" in done.stdout
    assert moved.secret not in done.stdout + done.stderr
    assert secret_file.read_text().strip() == moved.secret
    assert secret_file.stat().st_mode & 0o777 == 0o600

    env = {
        "BAI_DATABASE_URL": target_url,
        "BAI_TOKEN_SECRET_FILE": str(secret_file),
        "BAI_COLLECTION_ID": "pbc_421601843",
        "BAI_DATA_DIR": str(tmp_path),
    }
    with TestClient(create_app(container_for(load_settings(env)))) as client:
        refreshed = client.post(
            "/pb/api/system/refresh-token",
            headers={"Authorization": f"Bearer {moved.password_token}"},
        )
        assert refreshed.status_code == 200, refreshed.text
        renewed = refreshed.json()["token"]
        assert renewed != moved.password_token
        assert claims(renewed)["id"] == moved.record["id"]
        assert claims(renewed)["refreshable"] is True
        again = client.post("/pb/api/system/refresh-token", headers={"Authorization": renewed})
        assert again.status_code == 200, again.text

        static = client.post(
            "/pb/api/system/refresh-token", headers={"Authorization": moved.impersonation_token}
        )
        assert static.status_code == 200, static.text
        assert static.json()["token"] == moved.impersonation_token

        login = client.post("/pb/api/wechat/login", json={"users_wx_code": LOGIN_CODE})
        assert login.status_code == 200, login.text
        data = login.json()["data"]
        assert data["status"] == "login_success"
        assert data["user"]["pb_id"] == moved.record["id"]
        assert data["user"]["users_name"] == "迁移用户"
        assert data["user"]["users_rank_level"] == 3
        assert data["user"]["company"]["company_name"] == "示例公司"
        assert data["is_info_complete"] is True

        counted = client.post("/pb/api/system/users-count")
        assert counted.json()["data"]["total_users"] == moved.users


def test_importing_again_changes_nothing(
    moved: Moved, target_url: str, tmp_path: Path, import_pocketbase: ImportRun
) -> None:
    secret_file = tmp_path / "secret"
    assert import_pocketbase(target_url, moved.data_dir, secret_file).returncode == 0

    again = import_pocketbase(target_url, moved.data_dir, secret_file)

    assert again.returncode == 0, again.stderr
    assert "users: 0 added, 4 already there, 0 refused" in again.stdout
    assert "companies: 0 added, 1 already there, 0 refused" in again.stdout


def test_a_record_that_collides_with_another_user_is_refused_and_named(
    moved: Moved,
    sqlite_url: str,
    tmp_path: Path,
    import_pocketbase: ImportRun,
) -> None:
    env = {"BAI_DATABASE_URL": sqlite_url, "BAI_DATA_DIR": str(tmp_path)}
    with TestClient(create_app(container_for(load_settings(env)))) as client:
        taken = client.post("/pb/api/wechat/login", json={"users_wx_code": LOGIN_CODE})
        assert taken.json()["data"]["status"] == "register_success"

    done = import_pocketbase(sqlite_url, moved.data_dir, tmp_path / "secret")

    assert done.returncode == 1
    assert "users: 3 added, 0 already there, 1 refused" in done.stderr
    assert f"refused {moved.record['id']}: another record holds one" in done.stderr


def test_a_secret_file_that_holds_another_secret_is_never_overwritten(
    moved: Moved,
    sqlite_url: str,
    tmp_path: Path,
    import_pocketbase: ImportRun,
) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("the secret of something else\n")

    done = import_pocketbase(sqlite_url, moved.data_dir, secret_file)

    assert done.returncode == 2
    assert "already holds another secret" in done.stderr
    assert secret_file.read_text() == "the secret of something else\n"
    assert "users:" not in done.stdout


def test_on_a_terminal_the_import_shows_its_progress(
    moved: Moved, sqlite_url: str, tmp_path: Path
) -> None:
    """A progress bar for large imports, drawn only where someone watches (a terminal)."""
    command = (  # a new pseudo-terminal is 0 columns wide; an operator's is not
        f"stty cols 100 rows 30; {BAI} import-pocketbase --data-dir {moved.data_dir}"
        f" --secret-file {tmp_path / 'secret'}"
    )

    on_terminal = subprocess.run(
        ["script", "-qec", command, "/dev/null"],  # a pseudo-terminal, as an operator's shell
        env={"BAI_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert on_terminal.returncode == 0, on_terminal.stdout
    assert f"{moved.users}/{moved.users}" in on_terminal.stdout  # the bar, at its end
    assert "users: 4 added" in on_terminal.stdout


@dataclass(frozen=True)
class KeptBeside:
    """A data directory of a PocketBase that BAI kept users, identities and sessions in."""

    data_dir: Path
    users: list[User]
    identities: list[Identity]
    sessions: list[Session]


@pytest.fixture(scope="module")
def kept_beside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeptBeside]:
    folder = tmp_path_factory.mktemp("pocketbase-beside")
    users = [replace(a_user(openid=f"o-{n}"), unionid=f"u-{n}") for n in range(2)]
    identities = [
        Identity(appid=app, openid=f"{app}-{user.openid}", pb_id=user.pb_id, created=EPOCH)
        for user in users
        for app in ("wxprimary", "wxother")
    ]

    sessions = [
        Session(
            id=f"s{n:014d}",
            pb_id=user.pb_id,
            app="wxprimary",
            created=EPOCH,
            renewed=EPOCH,
            user_agent=f"device {n}",
            ended=EPOCH if n == 0 else None,
        )
        for n, user in enumerate([*users, users[0]])
    ]

    async def keep(url: str) -> None:
        client = PocketBaseClient(url)
        store = PocketBaseIdentityStore(client)
        codes = PocketBaseLoginCodeLedger(client)
        kept = PocketBaseSessionStore(
            client, identities=store, codes=codes, max_age=timedelta(days=30)
        )
        try:
            for user in users:
                mine = [each for each in identities if each.pb_id == user.pb_id]
                await store.register(user, mine[0])
                for other in mine[1:]:
                    await store.link(other, primary=False)
            for session in sessions:
                await kept.start(replace(session, ended=None), limit=10)
                if session.ended is not None:
                    await kept.end(session.pb_id, session.id, at=session.ended)
        finally:
            await client.aclose()

    for pocketbase in run_pocketbase(folder):
        asyncio.run(keep(pocketbase.storage_url))
        pocketbase.stop()
        yield KeptBeside(pocketbase.data_dir, users, identities, sessions)


def test_the_identities_bai_kept_beside_pocketbase_are_read_with_its_users(
    kept_beside: KeptBeside,
) -> None:
    source = PocketBaseDataDir(kept_beside.data_dir)

    users = [user for batch in source.users(500) for user in batch]
    identities = [identity for batch in source.identities(1) for identity in batch]

    assert sorted(users, key=repr) == sorted(kept_beside.users, key=repr)
    assert sorted(identities, key=repr) == sorted(kept_beside.identities, key=repr)


def test_a_data_directory_without_identities_has_none_to_copy(moved: Moved) -> None:
    assert list(PocketBaseDataDir(moved.data_dir).identities(500)) == []


async def identities_at(url: str, users: list[User]) -> list[Identity]:
    storage = storage_for(StorageOptions(url=url), clock=SystemClock())
    try:
        return [
            each for user in users for each in await storage.identities.identities_of(user.pb_id)
        ]
    finally:
        await storage.close()


def test_identities_kept_beside_pocketbase_move_with_their_users(
    kept_beside: KeptBeside,
    target_url: str,
    tmp_path: Path,
    import_pocketbase: ImportRun,
) -> None:
    secret_file = tmp_path / "secret"

    done = import_pocketbase(target_url, kept_beside.data_dir, secret_file)
    again = import_pocketbase(target_url, kept_beside.data_dir, secret_file)

    assert done.returncode == 0, done.stderr
    assert "identities: 4 added, 0 already there, 0 refused" in done.stdout
    assert "identities: 0 added, 4 already there, 0 refused" in again.stdout
    moved = asyncio.run(identities_at(target_url, kept_beside.users))
    assert sorted(moved, key=repr) == sorted(kept_beside.identities, key=repr)
    assert "sessions: 3 added, 0 already there, 0 refused" in done.stdout
    assert "sessions: 0 added, 3 already there, 0 refused" in again.stdout
    assert asyncio.run(sessions_at(target_url, kept_beside.sessions)) == kept_beside.sessions


async def sessions_at(url: str, sessions: list[Session]) -> list[Session | None]:
    """What the store at `url` holds of `sessions` (tokens naming them work after the move)."""
    storage = storage_for(StorageOptions(url=url), clock=SystemClock())
    try:
        return [await storage.sessions.find(each.id) for each in sessions]
    finally:
        await storage.close()


async def add_to(url: str, users: list[User], identities: list[Identity]) -> Added:
    storage = storage_for(StorageOptions(url=url), clock=SystemClock())
    try:
        await storage.accounts().add_users(users)
        return await storage.accounts().add_identities(identities)
    finally:
        await storage.close()


def test_an_identity_without_its_user_or_with_a_held_key_is_refused_by_name(
    target_url: str,
) -> None:
    user, other, stranger = a_user(), a_user(), a_user()

    def identity(holder: User, appid: str, openid: str) -> Identity:
        return Identity(appid=appid, openid=openid, pb_id=holder.pb_id, created=EPOCH)

    added = asyncio.run(
        add_to(
            target_url,
            [user, other],
            [
                identity(user, "wxa", "o-1"),
                identity(other, "wxa", "o-1"),  # another user's
                identity(stranger, "wxa", "o-2"),  # a user not imported
            ],
        )
    )

    assert added.added == 1
    assert added.refused == [
        Unreadable(f"{other.pb_id} in wxa", IDENTITY_HELD),
        Unreadable(f"{stranger.pb_id} in wxa", NO_USER),
    ]
