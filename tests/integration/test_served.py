"""`bai serve` as an operator runs it, and the README's curl walk run verbatim against it."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BAI = Path(sys.executable).parent / "bai"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(data_dir: Path, **env: str) -> tuple["subprocess.Popen[bytes]", str, Path]:
    """`bai serve` in a process of its own, once it answers its health check."""
    port = free_port()
    environment = {**os.environ, "BAI_PORT": str(port), "BAI_DATA_DIR": str(data_dir), **env}
    log = data_dir / f"server-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(BAI), "serve"], env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    workers = int(environment.get("BAI_WORKERS", "1"))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            healthy = httpx.get(f"{base}/pb/api/health", timeout=1).status_code == 200
        except httpx.TransportError:
            healthy = False
        # Workers start one by one (each imports the app): until the last has, the first
        # takes every connection, and a test of several workers would test one.
        if healthy and (workers == 1 or log.read_text().count('"Started worker-') >= workers):
            return process, base, log
        time.sleep(0.2)
    process.terminate()
    pytest.fail("bai serve did not become healthy:\n" + log.read_text())


@contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[tuple[str, Path]]:
    process, base, log = start_server(data_dir, **env)
    try:
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    with serving(tmp_path_factory.mktemp("served")) as running:
        yield running


def readme_walk() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Walk through the API with curl", 1)[1]
    match = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert match, "the README's curl walk is missing"
    return match.group(1)


def test_served_api_answers_in_the_envelope(server: tuple[str, Path]) -> None:
    base, _ = server
    response = httpx.post(f"{base}/pb/api/system/users-count")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["code"] == 200


def test_readme_curl_walk_works_verbatim(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", readme_walk()],
        env={**os.environ, "BASE": base},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("}\n")  # the shell's prompt starts on a line of its own
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [answer["code"] for answer in answers] == [200, 200, 200, 200]
    assert answers[0]["data"]["status"] in {"register_success", "login_success"}
    assert answers[1]["data"]["user"]["users_phone"] == "13855263077"
    assert answers[1]["data"]["user"]["openid"] == "sbx_d1ba35614d359e718cb32704"
    assert answers[2]["token"]
    assert answers[3]["data"]["total_users"] >= 1
    server_log = server[1].read_text()
    for secret in (
        "demo-login-code",
        "demo-phone-code",
        "13855263077",
        answers[0]["token"],
        answers[2]["token"],
    ):
        assert secret not in server_log


def test_server_says_loudly_that_wechat_is_the_sandbox(server: tuple[str, Path]) -> None:
    _, log = server
    assert "WeChat SANDBOX" in log.read_text()


def test_every_line_the_server_writes_is_json_and_the_first_says_what_runs(
    server: tuple[str, Path],
) -> None:
    base, log = server
    httpx.post(f"{base}/pb/api/system/users-count")

    lines = log_lines(log)

    assert any(line["logger"].startswith("_granian") for line in lines)  # the server's own too
    started = next(line for line in lines if line["message"].startswith("serving on"))
    assert started["storage"] == "sqlite"
    assert started["database"] == f"SQLite file {(log.parent / 'bai.db').resolve()}"
    assert started["wechat"] == "sandbox"
    assert started["apps"] == ["sandbox"]
    assert started["workers"] == 1
    assert started["redis"] == "off"
    assert started["version"]


@dataclass
class Restart:
    """Two runs of `bai serve` on one data directory, a login in each: the first run beside a
    Redis that does not answer, the second bound to a host name, at the warning log level."""

    first: dict[str, Any]
    again: dict[str, Any]
    first_lines: list[dict[str, Any]]
    again_lines: list[dict[str, Any]]
    again_live: int
    data_dir: Path


def log_lines(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def restart(tmp_path_factory: pytest.TempPathFactory) -> Restart:
    """One pair of starts for the checks of each (a start of `bai serve` is seconds of CPU)."""
    data_dir = tmp_path_factory.mktemp("restart")
    login = {"users_wx_code": "restart-code"}
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    with serving(data_dir, BAI_REDIS_URL=nobody) as (base, log):
        first = httpx.post(f"{base}/pb/api/wechat/login", json=login).json()
        first_lines = log_lines(log)
    with serving(data_dir, BAI_HOST="localhost", BAI_LOG_LEVEL="warning") as (base, log):
        again = httpx.post(f"{base}/pb/api/wechat/login", json=login).json()
        live = httpx.get(f"{base}/pb/api/health/live").status_code
        again_lines = log_lines(log)
    return Restart(first, again, first_lines, again_lines, live, data_dir)


def test_a_redis_that_does_not_answer_is_not_claimed_and_serving_goes_on(
    restart: Restart,
) -> None:
    assert restart.first["code"] == 200
    started = next(line for line in restart.first_lines if line["message"].startswith("serving on"))
    assert started["redis"] == "unanswered"
    warning = next(
        line for line in restart.first_lines if "did not answer a PING" in line["message"]
    )
    assert warning["level"] == "warning"
    assert "ConnectionError" in warning["message"]


def test_a_warning_log_level_keeps_the_info_lines_out(restart: Restart) -> None:
    assert restart.again["code"] == 200
    assert restart.again_lines  # the sandbox warning at least
    assert {line["level"] for line in restart.again_lines} <= {"warning", "error", "critical"}


def test_production_refuses_to_start_without_credentials(tmp_path: Path) -> None:
    env = {**os.environ, "BAI_ENV": "production", "BAI_DATA_DIR": str(tmp_path)}
    env.pop("BAI_WECHAT_APPID", None)

    result = subprocess.run(
        [str(BAI), "serve"], env=env, capture_output=True, text=True, timeout=30, check=False
    )

    assert result.returncode == 2
    assert "BAI_WECHAT_APPID" in result.stderr


def test_default_sqlite_keeps_users_across_restarts(restart: Restart) -> None:
    assert (restart.data_dir / "bai.db").exists()
    assert restart.first["data"]["status"] == "register_success"
    assert restart.again["data"]["status"] == "login_success"
    assert restart.again["data"]["user"]["pb_id"] == restart.first["data"]["user"]["pb_id"]


def test_the_served_app_keeps_its_start_up_objects_out_of_the_collectors_way(
    tmp_path: Path,
) -> None:
    probe = "import gc; import bai.entrypoints.asgi; print(gc.get_freeze_count())"
    env = {**os.environ, "BAI_DATA_DIR": str(tmp_path)}

    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert int(result.stdout) > 50_000  # what a full collection would otherwise walk each time


def test_a_host_name_such_as_localhost_is_served(restart: Restart) -> None:
    assert restart.again_live == 200
