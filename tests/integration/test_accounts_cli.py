"""`bai users ...` against a running two-worker server: each action holds from the next request."""

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_served import BAI, serving
from tests.support.cli import Cli, Ran, cli

__all__ = ["cli"]

REQUESTS_PER_CHECK = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("accounts")
    with serving(data_dir, BAI_WORKERS="2") as (base, _):
        yield base, data_dir


@pytest.fixture
def bai_users(cli: Cli, tmp_path: Path) -> Callable[..., Ran]:
    """`bai users ARGS` on the server's data directory (its SQLite file), from another process
    than the server's."""

    def run(data_dir: Path, *args: str) -> Ran:
        return cli("users", *args, cwd=tmp_path, BAI_DATA_DIR=str(data_dir))

    return run


def login(base: str, code: str) -> dict[str, object]:
    body: dict[str, object] = httpx.post(
        f"{base}/pb/api/wechat/login", json={"users_wx_code": code}
    ).json()
    return body


def statuses(base: str, token: str, code: str) -> set[int]:
    seen = set()
    for _ in range(REQUESTS_PER_CHECK):
        seen.add(
            httpx.post(
                f"{base}/pb/api/system/refresh-token", headers={"Authorization": token}
            ).status_code
        )
        seen.add(
            httpx.post(f"{base}/pb/api/wechat/login", json={"users_wx_code": code}).status_code
        )
    return seen


def test_disable_and_enable_hold_from_the_next_request(
    server: tuple[str, Path], bai_users: Callable[..., Ran]
) -> None:
    base, data_dir = server
    first = login(base, "acct-disable")
    user, token = first["data"]["user"], str(first["token"])  # type: ignore[index]

    assert bai_users(data_dir, "disable", user["pb_id"]).returncode == 0
    assert statuses(base, token, "acct-disable") == {401}

    assert bai_users(data_dir, "enable", user["pb_id"]).returncode == 0
    # Disabling ended the user's sessions: enabled again, the user signs in anew.
    assert login(base, "acct-disable")["data"]["user"]["pb_id"] == user["pb_id"]  # type: ignore[index]
    assert (
        httpx.post(
            f"{base}/pb/api/system/refresh-token", headers={"Authorization": token}
        ).status_code
        == 401
    )


def test_revoke_refuses_every_earlier_token(
    server: tuple[str, Path], bai_users: Callable[..., Ran]
) -> None:
    base, data_dir = server
    first = login(base, "acct-revoke")
    pb_id, token = first["data"]["user"]["pb_id"], str(first["token"])  # type: ignore[index]

    assert bai_users(data_dir, "revoke", pb_id).returncode == 0

    for _ in range(REQUESTS_PER_CHECK):
        assert (
            httpx.post(
                f"{base}/pb/api/system/refresh-token", headers={"Authorization": token}
            ).status_code
            == 401
        )
    fresh = str(login(base, "acct-revoke")["token"])
    assert (
        httpx.post(
            f"{base}/pb/api/system/refresh-token", headers={"Authorization": fresh}
        ).status_code
        == 200
    )


def test_delete_removes_the_account_and_its_tokens(
    server: tuple[str, Path], bai_users: Callable[..., Ran]
) -> None:
    base, data_dir = server
    first = login(base, "acct-delete")
    pb_id, token = first["data"]["user"]["pb_id"], str(first["token"])  # type: ignore[index]
    before = httpx.post(f"{base}/pb/api/system/users-count").json()["data"]["total_users"]

    assert bai_users(data_dir, "delete", pb_id).returncode == 0

    assert (
        httpx.post(
            f"{base}/pb/api/system/refresh-token", headers={"Authorization": token}
        ).status_code
        == 401
    )
    assert (
        httpx.post(f"{base}/pb/api/system/users-count").json()["data"]["total_users"] == before - 1
    )
    again = login(base, "acct-delete")
    assert again["data"]["status"] == "register_success"  # type: ignore[index]
    assert bai_users(data_dir, "show", pb_id).returncode == 1


def test_show_finds_by_id_or_openid_and_hides_secrets(
    server: tuple[str, Path], bai_users: Callable[..., Ran]
) -> None:
    base, data_dir = server
    user = login(base, "acct-show")["data"]["user"]  # type: ignore[index]

    by_id = bai_users(data_dir, "show", user["pb_id"])
    by_openid = bai_users(data_dir, "show", user["openid"])

    assert by_id.returncode == 0
    assert json.loads(by_id.stdout)["pb_id"] == user["pb_id"]
    assert json.loads(by_openid.stdout)["pb_id"] == user["pb_id"]
    assert "token_key" not in by_id.stdout


def test_unknown_users_and_memory_storage_are_refused(
    tmp_path: Path, server: tuple[str, Path], bai_users: Callable[..., Ran]
) -> None:
    _, data_dir = server
    unknown = bai_users(data_dir, "disable", "nobody000000000")
    in_memory = subprocess.run(
        [str(BAI), "users", "show", "x"],
        env={**os.environ, "BAI_DATABASE_URL": "memory://", "BAI_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert unknown.returncode == 1
    assert unknown.stderr.strip().splitlines()[-1] == "bai users disable: no user nobody000000000"
    assert in_memory.returncode == 2


def test_a_data_dir_without_the_servers_database_is_named_not_filled(
    tmp_path: Path, bai_users: Callable[..., Ran]
) -> None:
    elsewhere = tmp_path / "not-the-servers"

    shown = bai_users(elsewhere, "show", "abcdefghijklmno")

    assert shown.returncode == 2
    assert f"no database at {elsewhere.resolve() / 'bai.db'}" in shown.stderr
    assert not (elsewhere / "bai.db").exists()  # no new, empty database
