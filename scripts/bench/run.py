"""`make bench`: BAI under wrk, scenario by scenario, on a fresh PostgreSQL database.

    .venv/bin/python scripts/bench/run.py [--users 2000] [--duration 10] [--connections 32]
                                         [--million] [--workers 2] [--runs 1] [--warmup 2]
                                         [--scenarios a,b] [--profile DIR]

Starts BAI as production would (`bai serve`, BAI_ENV=production, rate limiting off) on a new
PostgreSQL database, a fast fake WeChat on loopback (scripts/bench/fake_wechat.py), seeds the
users with COPY, then drives each scenario with wrk (installed from Debian when missing), after
`--warmup` seconds of the same load that are not measured, and prints requests/s, p50, p99,
errors and each worker's resident memory. `--million` seeds 10,000,000 users and runs
users-count only. `--profile DIR` records each worker with py-spy (raw stacks) while measuring.
The database is dropped afterwards.
"""

import argparse
import asyncio
import os
import random
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import jwt
from sqlalchemy.engine import make_url

from bai.adapters.sqlalchemy.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from devtools.net import free_port  # noqa: E402
from devtools.postgres import drop_database, make_database  # noqa: E402

BIN = Path(sys.executable).parent
APPID, APP_SECRET, COLLECTION = "wx-bench", "bench-app-secret", "pbc_421601843"
SCENARIOS = ["users-count", "login-existing", "refresh", "profile", "login-new"]
# Every script gets `id`, its wrk thread's number (1, 2, ...), as a global.
THREAD_ID = """
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
"""
LUA = {
    "users-count": """
wrk.method = "POST"
wrk.path = "/pb/api/system/users-count"
""",
    "login-existing": """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- Every code is new, as wx.login's are (so no two requests share a WeChat call), in every run
-- (RUN: the warm-up and each measured run send codes never seen before); the part before the
-- first "." names the seeded user it logs in.
local n = 0
request = function()
  n = n + 1
  local body = '{"users_wx_code":"u' .. (n * 7919 % USERS) .. '.' .. RUN .. '-' .. id .. '-'
    .. n .. '"}'
  return wrk.format(nil, "/pb/api/wechat/login", nil, body)
end
""",
    "login-new": """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  local body = '{"users_wx_code":"n' .. RUN .. '-' .. id .. '-' .. n .. '"}'
  return wrk.format(nil, "/pb/api/wechat/login", nil, body)
end
""",
    "refresh": """
wrk.method = "POST"
local tokens, n = {}, 0
for line in io.lines(TOKENS) do tokens[#tokens + 1] = line end
request = function()
  n = n + 1
  local headers = {["Authorization"] = "Bearer " .. tokens[n % #tokens + 1]}
  return wrk.format(nil, "/pb/api/system/refresh-token", headers)
end
""",
    "profile": """
wrk.method = "POST"
local tokens, n = {}, 0
for line in io.lines(TOKENS) do tokens[#tokens + 1] = line end
request = function()
  n = n + 1
  -- Each wrk thread starts 1,000 users from the other: two updates of one user at the same
  -- moment would wait on each other's row lock, which no real client does.
  local i = (n + (id - 1) * 1000) % #tokens
  local body = '{"users_name":"bench","users_phone_code":"p' .. i
    .. '","users_picture":"https://cdn.example.com/a.png"}'
  local headers = {["Authorization"] = tokens[i + 1], ["Content-Type"] = "application/json"}
  return wrk.format(nil, "/pb/api/wechat/profile", headers, body)
end
""",
}


def ensure_wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    subprocess.run(["apt-get", "update", "-q"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


async def seed(url: str, users: int, token_secret: str) -> list[str]:
    """Users with openids the fake WeChat gives codes `u0`, `u1`, ...; tokens for the first 2000.
    Past those, rows are made by PostgreSQL itself (`generate_series`); the count triggers are
    off while seeding and the counter is set once at the end, as for an imported table."""
    rng = random.Random(7)
    letters, mixed = string.ascii_lowercase + string.digits, string.ascii_letters + string.digits
    now, exp = datetime.now(UTC), int(time.time()) + 86400
    rows, tokens = [], []
    for n in range(min(users, 2000)):
        pb_id, key = "".join(rng.choices(letters, k=15)), "".join(rng.choices(mixed, k=50))
        rows.append((pb_id, key, f"o_u{n}", str(10**15 + n), f"{n:08X}", now, now))
        if n < 2000:
            claims = {
                "collectionId": COLLECTION,
                "exp": exp,
                "id": pb_id,
                "refreshable": True,
                "type": "auth",
            }
            tokens.append(jwt.encode(claims, key + token_secret, algorithm="HS256"))
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        columns = [
            "pb_id",
            "token_key",
            "openid",
            "users_id",
            "users_promo_code",
            "created",
            "updated",
        ]
        await connection.execute(
            "ALTER TABLE tbl_auth_users DISABLE TRIGGER tbl_auth_users_counted"
        )
        await connection.copy_records_to_table("tbl_auth_users", records=rows, columns=columns)
        if users > len(rows):
            await connection.execute(GENERATED_USERS, len(rows), users - 1, now)
        await connection.execute("ALTER TABLE tbl_auth_users ENABLE TRIGGER tbl_auth_users_counted")
        await connection.execute(
            "UPDATE tbl_auth_users_count SET total = CASE WHEN slot = 0 THEN $1 ELSE 0 END", users
        )
        # What autovacuum leaves on a table that has stopped growing: statistics and the
        # visibility map (which lets count(*) read the primary key index alone).
        await connection.execute("VACUUM ANALYZE tbl_auth_users")
    finally:
        await connection.close()
    return tokens


GENERATED_USERS = """
INSERT INTO tbl_auth_users (pb_id, token_key, openid, users_id, users_promo_code, created, updated)
SELECT substr(md5('id' || n), 1, 15), substr(md5('k' || n) || md5('key' || n), 1, 50), 'o_u' || n,
       (1000000000000000 + n)::text, lpad(upper(to_hex(n)), 8, '0'), $3, $3
FROM generate_series($1::bigint, $2::bigint) AS n
"""


def worker_pids(server: "subprocess.Popen[bytes]") -> list[str]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return children.read_text().split() if children.exists() else []


def worker_memory_mb(server: "subprocess.Popen[bytes]") -> list[float]:
    sizes = []
    for pid in worker_pids(server):
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            sizes.append(round(int(match.group(1)) / 1024, 1) if match else 0.0)
    return sizes


def parse_wrk(output: str) -> dict[str, float]:
    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else 0.0

    def millis(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output)
        if not match:
            return 0.0
        return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]

    errors = number(r"Non-2xx or 3xx responses: (\d+)")
    errors += sum(float(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    return {
        "req/s": number(r"Requests/sec:\s+([\d.]+)"),
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": errors,
    }


def run_scenario(
    wrk: str,
    base: str,
    scenario: str,
    *,
    args: argparse.Namespace,
    users: int,
    folder: Path,
    server: "subprocess.Popen[bytes]",
    seconds: int,
    profile: bool = True,
) -> dict[str, float]:
    script = folder / f"{scenario}.lua"
    tokens = folder / "tokens.txt"
    header = f'USERS = {min(users, 2000)}\nTOKENS = "{tokens}"\nRUN = "{secrets.token_hex(3)}"\n'
    header += THREAD_ID
    script.write_text(header + LUA[scenario])
    command = [
        wrk,
        "-t2",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    spies = [
        subprocess.Popen(
            [
                str(BIN / "py-spy"),
                "record",
                "--pid",
                pid,
                "--duration",
                str(seconds),
                "--rate",
                "250",
                "--format",
                "raw",
                "--nonblocking",
                "-o",
                str(Path(args.profile) / f"{scenario}-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in (worker_pids(server) if args.profile and profile else [])
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    for spy in spies:
        spy.wait(timeout=60)
    return parse_wrk(output)


def start(env: dict[str, str], log: Path) -> "subprocess.Popen[bytes]":
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(BIN / "bai"), "serve"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if (
                httpx.get(
                    f"http://127.0.0.1:{env['BAI_PORT']}/pb/api/health", timeout=1
                ).status_code
                == 200
            ):
                return server
        except httpx.TransportError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("bai serve did not start:\n" + log.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of unmeasured load before each scenario"
    )
    parser.add_argument("--million", action="store_true", help="10,000,000 users, users-count only")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--profile", metavar="DIR", help="record each worker with py-spy (raw stacks) into DIR"
    )
    args = parser.parse_args()
    users = 10_000_000 if args.million else args.users
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    scenarios = ["users-count"] if args.million else args.scenarios.split(",")
    wrk = ensure_wrk()
    folder = Path(tempfile.mkdtemp(prefix="bai-bench-"))
    url, token_secret = make_database("bai_bench"), secrets.token_hex(32)
    fake_port, port = free_port(), free_port()
    fake = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts/bench/fake_wechat.py"), str(fake_port), APPID]
    )
    server = None
    try:
        upgrade(url)
        tokens = asyncio.run(seed(url, users, token_secret))
        (folder / "tokens.txt").write_text("\n".join(tokens) + "\n")
        env = {
            **os.environ,
            "BAI_ENV": "production",
            "BAI_DATABASE_URL": url,
            "BAI_PORT": str(port),
            "BAI_WORKERS": str(args.workers),
            "BAI_RATE_LIMIT": "off",
            "BAI_TOKEN_SECRET": token_secret,
            "BAI_WECHAT_APPID": APPID,
            "BAI_WECHAT_SECRET": APP_SECRET,
            "BAI_WECHAT_API_BASE": f"http://127.0.0.1:{fake_port}",
            "BAI_DATA_DIR": str(folder),
        }
        server = start(env, folder / "server.log")
        base = f"http://127.0.0.1:{port}"
        load = f"wrk -t2 -c{args.connections} -d{args.duration}s"
        print(f"BAI on {base}, {args.workers} workers, {users:,} users; {load}\n")
        print("| scenario | run | req/s | p50 ms | p99 ms | errors | RSS per worker MB |")
        print("|---|---|---|---|---|---|---|")
        for scenario in scenarios:
            drive = partial(
                run_scenario, wrk, base, scenario, args=args, users=users, folder=folder
            )
            if args.warmup:  # first connections, prepared statements: not what is measured
                drive(server=server, seconds=args.warmup, profile=False)
            for run in range(1, args.runs + 1):
                result = drive(server=server, seconds=args.duration)
                memory = ", ".join(map(str, worker_memory_mb(server)))
                rate, p50, p99, errors = (
                    result["req/s"],
                    result["p50"],
                    result["p99"],
                    result["errors"],
                )
                row = [
                    scenario,
                    str(run),
                    f"{rate:,.0f}",
                    f"{p50:.2f}",
                    f"{p99:.2f}",
                    f"{errors:.0f}",
                    memory,
                ]
                print("| " + " | ".join(row) + " |", flush=True)

    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        fake.terminate()
        drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
