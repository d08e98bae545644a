"""CPU time per request of one route, with no server and no load generator in the way.

    .venv/bin/python scripts/bench/in_process.py SCENARIO [--seconds 5] [--concurrency 16]

SCENARIO is `users-count`, `login-existing`, `refresh` or `profile`. Sets up what `make bench`
does (a new PostgreSQL database, 2,000 seeded users, the fast fake WeChat, production settings)
but calls the ASGI app directly in this process, `--concurrency` requests at a time, and prints
requests/s and the process's CPU time per request: steadier than wrk for A/B of a change, and
what py-spy should record (`py-spy record -- python scripts/bench/in_process.py refresh`).
"""

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import uvloop

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from devtools.net import free_port  # noqa: E402
from devtools.postgres import drop_database, make_database  # noqa: E402
from seeding import APP_SECRET, APPID, seed  # noqa: E402 (this script's folder is on sys.path)

from bai.adapters.sqlalchemy.migrate import upgrade  # noqa: E402

Request = tuple[str, list[tuple[bytes, bytes]], bytes]


def request_for(scenario: str, n: int, tokens: list[str]) -> Request:
    token = tokens[n % len(tokens)].encode()
    if scenario == "users-count":
        return "/pb/api/system/users-count", [], b""
    if scenario == "refresh":
        return "/pb/api/system/refresh-token", [(b"authorization", b"Bearer " + token)], b""
    json_type = (b"content-type", b"application/json")
    if scenario == "login-existing":
        body = json.dumps({"users_wx_code": f"u{n * 7919 % len(tokens)}.{n}"}).encode()
        return "/pb/api/wechat/login", [json_type], body
    profile = {
        "users_name": "bench",
        "users_phone_code": f"p{n % len(tokens)}",
        "users_picture": "https://cdn.example.com/a.png",
    }
    return (
        "/pb/api/wechat/profile",
        [json_type, (b"authorization", token)],
        json.dumps(profile).encode(),
    )


async def call(app: Any, request: Request) -> int:
    path, headers, body = request
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"content-length", b"%d" % len(body)), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8090),
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)  # the client never disconnects
        return {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def drive(app: Any, args: argparse.Namespace, tokens: list[str]) -> None:
    for n in range(200):  # warm-up: connections, prepared statements, the access token
        await call(app, request_for(args.scenario, n, tokens))
    done, failed = 0, 0
    deadline = time.perf_counter() + args.seconds

    async def client(first: int) -> None:
        nonlocal done, failed
        n = first
        while time.perf_counter() < deadline:
            status = await call(app, request_for(args.scenario, n, tokens))
            done, failed, n = done + 1, failed + (status != 200), n + args.concurrency

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(first) for first in range(args.concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{args.scenario}: {done / elapsed:,.0f} req/s in one process, "
        f"{cpu / done * 1e6:.0f} us of CPU per request, {failed} not 200"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("scenario", choices=["users-count", "login-existing", "refresh", "profile"])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    url, token_secret, fake_port = make_database("bai_inproc"), secrets.token_hex(32), free_port()
    fake = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts/bench/fake_wechat.py"), str(fake_port), APPID]
    )
    try:
        upgrade(url)
        tokens = asyncio.run(seed(url, 2000, token_secret))
        os.environ.update(
            {
                "BAI_ENV": "production",
                "BAI_DATABASE_URL": url,
                "BAI_RATE_LIMIT": "off",
                "BAI_TOKEN_SECRET": token_secret,
                "BAI_WECHAT_APPID": APPID,
                "BAI_WECHAT_SECRET": APP_SECRET,
                "BAI_WECHAT_API_BASE": f"http://127.0.0.1:{fake_port}",
                "BAI_DATA_DIR": tempfile.mkdtemp(prefix="bai-in-process-"),
            }
        )
        from bai.entrypoints.http.app import create_app  # noqa: PLC0415 (reads the settings)
        from bai.entrypoints.logs import configure_logging  # noqa: PLC0415

        sink = open(os.devnull, "w")  # noqa: SIM115 - the log lines are written, then dropped
        with contextlib.redirect_stdout(sink):
            configure_logging()
        uvloop.run(drive(create_app(), args, tokens))
    finally:
        fake.terminate()
        drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
