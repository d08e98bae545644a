"""CPU time per request of each route, with no server and no load generator in the way.

    .venv/bin/python scripts/bench/in_process.py SCENARIO... [--seconds 5] [--concurrency 16]
                                                [--layers [DIR]]

SCENARIO is `users-count`, `login-existing`, `refresh`, `profile`, `login-new`, `health` or
`all`. Sets up what `make bench` does (a new PostgreSQL database, 2,000 seeded users, the fast
fake WeChat, production settings, metrics in files as under `bai serve`) but calls the ASGI app
directly in this process, `--concurrency` requests at a time, and prints requests/s and the
process's CPU time per request: steadier than wrk for A/B of a change, and what py-spy should
record (`py-spy record -- python scripts/bench/in_process.py refresh`).

`--layers` then serves the route as long again under cProfile and splits its CPU time per
request by layer (framework, BAI's edge, use case, database adapter and driver, WeChat client,
token, log line, metrics, event loop; scripts/bench/layers.py says how); with DIR, each
route's profile is written there too (`python -m pstats DIR/refresh.pstats`). The server's own
part is not in process: it is the served CPU time per request (`make bench`'s column) less
this total.
"""

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvloop

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from devtools.net import free_port  # noqa: E402
from devtools.postgres import drop_database, make_database  # noqa: E402
from layers import attribute, calls, table  # noqa: E402 (this script's folder is on sys.path)
from seeding import APP_SECRET, APPID, seed  # noqa: E402

from bai.adapters.sqlalchemy.migrate import upgrade  # noqa: E402

SCENARIOS = ["users-count", "login-existing", "refresh", "profile", "login-new", "health"]
Request = tuple[str, list[tuple[bytes, bytes]], bytes]
Requests = Callable[[int], Request]


def requests_for(scenario: str, tokens: list[str]) -> Requests:
    """The scenario's n-th request; login codes are new in every pass, as wx.login's are."""
    run = secrets.token_hex(3)
    return lambda n: request_for(scenario, n, tokens, run)


def request_for(scenario: str, n: int, tokens: list[str], run: str) -> Request:
    token = tokens[n % len(tokens)].encode()
    if scenario == "users-count":
        return "/pb/api/system/users-count", [], b""
    if scenario == "health":
        return "/pb/api/health", [], b""
    if scenario == "refresh":
        return "/pb/api/system/refresh-token", [(b"authorization", b"Bearer " + token)], b""
    json_type = (b"content-type", b"application/json")
    if scenario in ("login-existing", "login-new"):
        user = f"u{n * 7919 % len(tokens)}" if scenario == "login-existing" else "n"
        body = json.dumps({"users_wx_code": f"{user}.{run}-{n}"}).encode()
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
        "method": "GET" if path == "/pb/api/health" else "POST",
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


async def serve(
    app: Any, requests: Requests, *, seconds: float, concurrency: int
) -> tuple[int, int, float]:
    """`concurrency` clients calling `app` for `seconds`: requests served, not 200, CPU seconds."""
    done, failed = 0, 0
    deadline = time.perf_counter() + seconds

    async def client(first: int) -> None:
        nonlocal done, failed
        n = first
        while time.perf_counter() < deadline:
            status = await call(app, requests(n))
            done, failed, n = done + 1, failed + (status != 200), n + concurrency

    cpu = time.process_time()
    await asyncio.gather(*(client(first) for first in range(concurrency)))
    return done, failed, time.process_time() - cpu


async def drive(app: Any, args: argparse.Namespace, tokens: list[str]) -> None:
    for scenario in args.scenarios:
        warm = requests_for(scenario, tokens)
        for n in range(200):  # warm-up: connections, prepared statements, the access token
            await call(app, warm(n))
        started = time.perf_counter()
        measure = {"seconds": args.seconds, "concurrency": args.concurrency}
        done, failed, cpu = await serve(app, requests_for(scenario, tokens), **measure)
        rate, us = done / (time.perf_counter() - started), cpu / done * 1e6
        print(f"{scenario}: {rate:,.0f} req/s in one process, {us:.0f} us of CPU per request, "
              f"{failed} not 200", flush=True)  # fmt: skip
        if args.layers:
            profile = cProfile.Profile(time.thread_time_ns, 1e-9)
            profile.enable()
            profiled, _, profiled_cpu = await serve(app, requests_for(scenario, tokens), **measure)
            profile.disable()
            if args.layers != "-":  # the profile itself, for pstats
                profile.dump_stats(Path(args.layers) / f"{scenario}.pstats")
            per_request = calls(profile) / profiled
            per_call = max(profiled_cpu / profiled - cpu / done, 0.0) / per_request
            layers = attribute(profile, per_call=per_call)
            seconds = {name: value / profiled for name, value in layers.items()}
            inflation = profiled_cpu / profiled / (cpu / done)
            lines = table(seconds, cpu_us=us, per_call_us=per_call * 1e6, inflation=inflation)
            print("\n".join("  " + line for line in lines) + "\n", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("scenarios", nargs="+", choices=[*SCENARIOS, "all"], metavar="SCENARIO")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--layers",
        nargs="?",
        const="-",
        metavar="DIR",
        help="CPU per request by layer (and each route's cProfile into DIR, when given)",
    )
    args = parser.parse_args()
    args.scenarios = SCENARIOS if "all" in args.scenarios else args.scenarios
    if args.layers not in (None, "-"):
        Path(args.layers).mkdir(parents=True, exist_ok=True)
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
                "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(prefix="bai-in-process-metrics-"),
            }
        )
        from bai.entrypoints.http.app import create_app  # noqa: PLC0415 (reads the settings)
        from bai.entrypoints.observability.logs import configure_logging  # noqa: PLC0415

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
