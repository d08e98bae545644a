"""`make bench`: BAI under wrk, scenario by scenario, on a fresh PostgreSQL database; beside
another server of the same API when asked (`--peer node`, `--target URL`).

    .venv/bin/python scripts/bench/run.py [--users 2000] [--duration 10] [--connections 32]
                                         [--million] [--workers 2] [--runs 1] [--warmup 2]
                                         [--scenarios a,b] [--profile DIR]
                                         [--peer node | --target URL] [--wechat URL]
                                         [--target-pid PID] [--target-database URL]

Starts BAI as production would (`bai serve`, BAI_ENV=production, rate limiting off) on a new
PostgreSQL database, a fast fake WeChat on loopback (scripts/bench/fake_wechat.py), seeds the
users with COPY, then drives each scenario with wrk (installed from Debian when missing), after
`--warmup` seconds of the same load that are not measured, and prints requests/s, p50, p99,
errors, the server's and PostgreSQL's CPU time per request, each worker's resident memory and
the load average. `--million` seeds 10,000,000 users and runs users-count only. `--profile DIR`
records each BAI worker with py-spy (raw stacks) while measuring. The databases are dropped
afterwards.

Side by side: `--peer node` also starts the Node build (BAI_BENCH_NODE_PEER, its start.sh and
stop.sh, run from a writable copy in --peer-scratch) on a second new database against the same
fake WeChat; `--target URL` drives a server already running there instead (start it against
`--wechat URL`, a fake both use, with APPID `wx-bench`). Both servers are then seeded through
their login route alike, and every run measures both, alternating which goes first. With
`--target-pid` (its first process) and `--target-database` (the database only it uses) the
target's CPU and PostgreSQL time per request are measured too: an A/B of two builds of BAI.

Every run of users-count and health also drives the framework's floor (scripts/bench/floor.py:
Litestar answering those envelopes with a constant, under Granian with `bai serve`'s settings),
and the last table is BAI's rate over the floor's (issue 26: BAI's edge at most a quarter of
the framework's cost, >= 0.8).
"""

import argparse
import asyncio
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from bai.adapters.sqlalchemy.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from devtools.net import free_port  # noqa: E402
from devtools.postgres import drop_database, make_database  # noqa: E402
from report import (  # noqa: E402 (this script's folder is on sys.path)
    Result,
    against_floor,
    header,
    row,
    summary,
)
from scenarios import SCENARIOS, ensure_wrk, parse_wrk, wrk_command  # noqa: E402
from seeding import APP_SECRET, APPID, TOKENED_USERS, seed, seed_through_login, vacuum  # noqa: E402
from servers import (  # noqa: E402
    Server,
    backends,
    cpu_seconds,
    memory_mb,
    start_bai,
    start_floor,
    start_node_peer,
)

BIN = Path(sys.executable).parent
# The scenarios the framework's floor answers too: its routes return a constant envelope.
FLOORED = {"users-count", "health"}
NODE_PEER = Path(os.environ.get("BAI_BENCH_NODE_PEER", "/work/shared/peers/node-fastify"))


def measure(
    wrk: str, server: Server, scenario: str, *, args: argparse.Namespace, seconds: int
) -> Result:
    """One wrk run of `scenario` against `server`, with the CPU time its processes and its
    database's PostgreSQL backends used, per request."""
    folder = Path(args.folder) / server.name
    users = 10_000_000 if args.million else args.users
    command = wrk_command(
        wrk, server.base, scenario, connections=args.connections, seconds=seconds,
        users=users, folder=folder,
    )  # fmt: skip
    profile = args.profile and seconds == args.duration and server.name == "BAI"
    spies = (
        [spy(pid, scenario, seconds, args.profile) for pid in server.workers()] if profile else []
    )
    pids, pg = server.pids(), backends(server.database) if server.database else []
    load = f"{os.getloadavg()[0]:.2f}"
    cpu, pg_cpu = cpu_seconds(pids), cpu_seconds(pg)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu, pg_cpu = cpu_seconds(pids) - cpu, cpu_seconds(pg) - pg_cpu
    for recorder in spies:
        recorder.wait(timeout=60)
    result: Result = {**parse_wrk(output), "load": load}
    requests = max(float(result["requests"]), 1)
    result["cpu"] = cpu / requests * 1e6 if pids else float("nan")
    result["pg"] = pg_cpu / requests * 1e6 if pg else float("nan")
    result["rss"] = ", ".join(map(str, memory_mb(server.workers())))
    return result


def spy(pid: int, scenario: str, seconds: int, folder: str) -> "subprocess.Popen[bytes]":
    """py-spy recording one worker's raw stacks while it is measured."""
    command = [str(BIN / "py-spy"), "record", "--pid", str(pid), "--duration", str(seconds)]
    command += ["--rate", "250", "--format", "raw", "--nonblocking"]
    command += ["-o", str(Path(folder) / f"{scenario}-{pid}.txt")]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def bai_env(args: argparse.Namespace, url: str, wechat: str, token_secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "BAI_ENV": "production",
        "BAI_DATABASE_URL": url,
        "BAI_PORT": str(free_port()),
        "BAI_WORKERS": str(args.workers),
        "BAI_RATE_LIMIT": "off",
        # The login scenarios sign the same users in thousands of times: with the default limit
        # their sessions would end the ones whose tokens the refresh and profile scenarios use.
        "BAI_SESSION_LIMIT": "1000",
        "BAI_TOKEN_SECRET": token_secret,
        "BAI_WECHAT_APPID": APPID,
        "BAI_WECHAT_SECRET": APP_SECRET,
        "BAI_WECHAT_API_BASE": wechat,
        "BAI_DATA_DIR": args.folder,
    }


def node_env(args: argparse.Namespace, url: str, wechat: str) -> dict[str, str]:
    return {
        **os.environ,
        "RUN_DIR": str(Path(args.folder) / "node-run"),
        "DATABASE_URL": url.replace("postgresql+asyncpg://", "postgres://", 1),
        "WECHAT_API_BASE": wechat,
        "WECHAT_APPID": APPID,
        "WECHAT_SECRET": APP_SECRET,
        "TOKEN_SECRET": secrets.token_hex(32),
        "PORT": str(free_port()),
        "WORKERS": str(args.workers),
    }


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
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
        "--profile", metavar="DIR", help="record each BAI worker with py-spy (raw stacks) into DIR"
    )
    side = parser.add_mutually_exclusive_group()
    side.add_argument("--peer", choices=["node"], help="start the Node build and measure it too")
    side.add_argument("--target", metavar="URL", help="measure this running server too")
    parser.add_argument(
        "--target-pid", type=int, help="the --target server's first process (its CPU per request)"
    )
    parser.add_argument(
        "--target-database", metavar="URL", help="the database the --target server alone uses"
    )
    parser.add_argument("--wechat", metavar="URL", help="a running fake WeChat (else one starts)")
    parser.add_argument(
        "--peer-scratch",
        default=str(Path(tempfile.gettempdir()) / "bai-bench-node-peer"),
        metavar="DIR",
    )
    args = parser.parse_args()
    if args.million and (args.peer or args.target):
        parser.error("--million seeds BAI's tables directly: not with --peer or --target")
    args.folder = tempfile.mkdtemp(prefix="bai-bench-")
    return args


def start_servers(
    args: argparse.Namespace, wechat: str, *, databases: list[str], servers: list[Server]
) -> None:
    """BAI on a new database, seeded with COPY; or BAI and the other server, both seeded
    through their login route (and vacuumed, where the database is known)."""
    users, folder = 10_000_000 if args.million else args.users, Path(args.folder)
    databases.append(url := make_database("bai_bench"))
    upgrade(url)
    secret = secrets.token_hex(32)
    tokens = (
        {"BAI": asyncio.run(seed(url, users, secret))} if not args.peer and not args.target else {}
    )
    servers.append(start_bai(bai_env(args, url, wechat, secret), folder / "bai.log", BIN))
    if args.peer == "node":
        databases.append(peer_url := make_database("bai_bench_node"))
        scratch = Path(args.peer_scratch)
        servers.append(start_node_peer(NODE_PEER, scratch, node_env(args, peer_url, wechat)))
    elif args.target:
        target = args.target.rstrip("/")
        servers.append(Server("target", target, args.target_pid, args.target_database))
    for server in servers:
        if server.name not in tokens:
            tokens[server.name] = asyncio.run(
                seed_through_login(server.base, min(users, TOKENED_USERS))
            )
            if server.database:
                asyncio.run(vacuum(server.database))
        (folder / server.name).mkdir()
        (folder / server.name / "tokens.txt").write_text("\n".join(tokens[server.name]) + "\n")


Floored = dict[str, list[tuple[Result, Result]]]


def drive(
    wrk: str,
    servers: list[Server],
    floor: Server | None,
    scenarios: list[str],
    args: argparse.Namespace,
) -> tuple[dict[str, list[list[Result]]], Floored]:
    """Each scenario: a warm-up, then `--runs` runs of every server in alternating order (the
    floor too, for the scenarios it answers: last, then first); each run's row printed."""
    table: dict[str, list[list[Result]]] = {}
    floored: Floored = {}
    for scenario in scenarios:
        floors = [floor] if floor is not None and scenario in FLOORED else []
        if args.warmup:  # first connections, prepared statements: not what is measured
            for server in [*servers, *floors]:
                measure(wrk, server, scenario, args=args, seconds=args.warmup)
        for run in range(1, args.runs + 1):
            order = servers if run % 2 else servers[::-1]
            order = [*order, *floors] if run % 2 else [*floors, *order]  # last, then first
            results = {
                s.name: measure(wrk, s, scenario, args=args, seconds=args.duration) for s in order
            }
            table.setdefault(scenario, []).append([results[s.name] for s in servers])
            print(row(scenario, run, table[scenario][-1]), flush=True)
            for bare in floors:
                floored.setdefault(scenario, []).append((results["BAI"], results[bare.name]))
    return table, floored


def main() -> int:
    args = arguments()
    users = 10_000_000 if args.million else args.users
    side_by_side = bool(args.peer or args.target)
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    scenarios = ["users-count"] if args.million else args.scenarios.split(",")
    wrk, fake, wechat = ensure_wrk(), None, args.wechat
    if wechat is None:
        fake_port = free_port()
        fake = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts/bench/fake_wechat.py"), str(fake_port), APPID]
        )
        wechat = f"http://127.0.0.1:{fake_port}"
    databases: list[str] = []
    servers: list[Server] = []
    floor: Server | None = None
    try:
        start_servers(args, wechat, databases=databases, servers=servers)
        if not args.million and set(scenarios) & FLOORED:
            floor = start_floor(ROOT / "scripts/bench", args.workers, Path(args.folder))
            (Path(args.folder) / floor.name).mkdir()
        load = f"wrk -t2 -c{args.connections} -d{args.duration}s"
        where = ", ".join(f"{s.name} on {s.base}" for s in servers)
        print(f"{where}; {args.workers} workers; WeChat {wechat}; {users:,} users; {load}\n")
        print(header([s.name for s in servers]), flush=True)
        table, floored = drive(wrk, servers, floor, scenarios, args)
        if side_by_side:
            print("\nMeans over the runs:\n\n" + summary([s.name for s in servers], table))
        if floored:
            print("\nAgainst the framework's floor (scripts/bench/floor.py):\n")
            print(against_floor(floored))
    finally:
        for server in [*servers, *([floor] if floor else [])]:
            server.stop()
        if fake is not None:
            fake.terminate()
        for database in databases:
            drop_database(database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
