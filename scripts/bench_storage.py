"""Storage benchmark: 1,000,000 users in PostgreSQL, then users-count and login latency.

    .venv/bin/python scripts/bench_storage.py [--users 1000000] [--requests 2000]

Makes a fresh database on BAI_TEST_DATABASE_URL's server (default: local PostgreSQL, user
postgres), migrates it, loads the users with COPY, drives the real app in-process one request
at a time (sandbox WeChat, no network in between) and drops the database afterwards.
Prints a Markdown report; docs/storage-benchmark.md keeps one.
"""

import argparse
import asyncio
import hashlib
import logging
import os
import platform
import random
import secrets
import statistics
import string
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import httpx
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from bai.adapters.sqlalchemy.migrate import upgrade
from bai.entrypoints.config.settings import load_settings
from bai.entrypoints.http.app import create_app
from bai.entrypoints.wiring import container_for

SERVER = os.environ.get(
    "BAI_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
HTTP_OK = 200
COLUMNS = ["pb_id", "token_key", "openid", "users_id", "users_promo_code", "created", "updated"]


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sandbox_openid(code: str) -> str:
    return f"sbx_{hashlib.sha256(code.encode()).hexdigest()[:24]}"


def rows(count: int) -> list[tuple[object, ...]]:
    rng = random.Random(42)
    lower, mixed = string.ascii_lowercase + string.digits, string.ascii_letters + string.digits
    now = datetime.now(UTC)
    return [
        (
            "".join(rng.choices(lower, k=15)),
            "".join(rng.choices(mixed, k=50)),
            sandbox_openid(f"bench-{n}"),
            str(10**15 + n),
            f"{n:08X}",
            now,
            now,
        )
        for n in range(count)
    ]


async def load(url: str, count: int) -> float:
    started = time.perf_counter()
    connection = await asyncpg.connect(dsn(url))
    try:
        await connection.copy_records_to_table(
            "tbl_auth_users", records=rows(count), columns=COLUMNS
        )
        await connection.execute("ANALYZE tbl_auth_users")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def latencies(
    call: Callable[[int], Awaitable[httpx.Response]], requests: int, concurrency: int
) -> dict[str, float]:
    timings: list[float] = []
    queue = iter(range(requests))

    async def worker() -> None:
        for n in queue:
            started = time.perf_counter()
            response = await call(n)
            timings.append(time.perf_counter() - started)
            if response.status_code != HTTP_OK:
                raise SystemExit(f"request failed: {response.status_code} {response.text}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    timings.sort()
    return {
        "p50 ms": statistics.median(timings) * 1000,
        "p99 ms": timings[int(len(timings) * 0.99) - 1] * 1000,
        "req/s": requests / wall,
    }


async def scenarios(
    url: str, users: int, requests: int, max_age: str
) -> dict[str, dict[str, float]]:
    settings = load_settings(
        {
            "BAI_DATABASE_URL": url,
            "BAI_TOKEN_SECRET": secrets.token_hex(32),
            "BAI_USERS_COUNT_MAX_AGE": max_age,
            "BAI_DATA_DIR": tempfile.mkdtemp(prefix="bai-bench-"),
        }
    )
    results = {}
    async with AsyncTestClient(app=create_app(container_for(settings))) as client:
        count = await client.post("/pb/api/system/users-count")
        if count.json()["data"]["total_users"] < users:
            raise SystemExit(f"expected {users} users, the API counts {count.text}")
        for name, call in {
            "users-count": lambda n: client.post("/pb/api/system/users-count"),
            "login, existing user": lambda n: client.post(
                "/pb/api/wechat/login", json={"users_wx_code": f"bench-{n * 7919 % users}"}
            ),
            "login, new user": lambda n: client.post(
                "/pb/api/wechat/login", json={"users_wx_code": f"new-{secrets.token_hex(8)}"}
            ),
        }.items():
            results[name] = await latencies(call, requests, concurrency=1)
    return results


async def count_query(url: str) -> float:
    connection = await asyncpg.connect(dsn(url))
    try:
        started = time.perf_counter()
        await connection.fetchval("SELECT count(*) FROM tbl_auth_users")
        return (time.perf_counter() - started) * 1000
    finally:
        await connection.close()


async def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    name = f"bai_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(dsn(SERVER))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        loaded = await load(url, args.users)
        raw = statistics.median([await count_query(url) for _ in range(5)])
        cached = await scenarios(url, args.users, args.requests, max_age="1")
        uncached = await scenarios(url, args.users, min(args.requests, 300), max_age="0")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print("# Storage benchmark\n")
    print(f"{args.users:,} users in PostgreSQL, loaded with COPY in {loaded:.1f} s.")
    print(f"Machine: {machine}. The app in-process (ASGI test client, sandbox WeChat),")
    print("one request at a time: this measures latency, not throughput.\n")
    print(f"`SELECT count(*)` alone: {raw:.1f} ms (median of 5).\n")
    print("| scenario | count cache | p50 ms | p99 ms | req/s |\n|---|---|---|---|---|")
    for label, results in (("1 s (default)", cached), ("off", uncached)):
        for scenario, numbers in results.items():
            p50, p99, rate = numbers["p50 ms"], numbers["p99 ms"], numbers["req/s"]
            print(f"| {scenario} | {label} | {p50:.1f} | {p99:.1f} | {rate:.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
