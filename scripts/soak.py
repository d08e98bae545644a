"""Soak: minutes of mixed load while WeChat turns slow and failing and PostgreSQL restarts.

    .venv/bin/python scripts/soak.py [--seconds 240] [--clients 16]

Runs `bai serve` (2 workers, PostgreSQL in a fresh database, the real WeChat gateway against
the HTTP fake from devtools/), drives logins, profile updates, refreshes and counts, and on
a timeline makes WeChat slow, then failing, and restarts PostgreSQL (`--restart-postgres`, a
shell command; the default fits this machine). Afterwards every acknowledged registration and
profile update must be in the database, no answer may fall outside SPEC's statuses, and the
last stretch, after every fault, must be healthy. Prints a Markdown report; exits 1 on a breach.
"""

import argparse
import asyncio
import collections
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from devtools.fake_wechat_server import FakeWeChat, FakeWeChatServer
from devtools.net import free_port
from devtools.postgres import drop_database, make_database

SPEC_STATUSES = {200, 400, 401, 404, 429, 500}
AVATAR = "https://cdn.example.com/a.png"
OK = 200
HEALTHY_TAIL = 0.9
BAI = Path(sys.executable).parent / "bai"
RESTART = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart"


class Soak:
    def __init__(self, base: str, wechat: FakeWeChat) -> None:
        self.base, self.wechat = base, wechat
        self.statuses: collections.Counter[tuple[str, int]] = collections.Counter()
        self.registered: dict[str, str] = {}
        self.profiles: dict[str, str] = {}
        self.tokens: list[tuple[str, str, str]] = []
        self.timeline: list[tuple[float, str, int]] = []
        self.started = time.monotonic()

    def note(self, route: str, status: int) -> None:
        self.statuses[(route, status)] += 1
        self.timeline.append((time.monotonic() - self.started, route, status))

    async def login(self, client: httpx.AsyncClient) -> None:
        openid = f"soak-{secrets.token_hex(6)}"
        code = self.wechat.login_code(f"L-{secrets.token_hex(8)}", openid=openid)
        response = await client.post("/pb/api/wechat/login", json={"users_wx_code": code})
        self.note("login", response.status_code)
        if response.status_code == OK:
            body = response.json()
            user = body["data"]["user"]
            if body["data"]["status"] == "register_success":
                self.registered[user["pb_id"]] = openid
            self.tokens.append((user["pb_id"], openid, body["token"]))

    async def profile(self, client: httpx.AsyncClient) -> None:
        if not self.tokens:
            return
        pb_id, openid, token = random.choice(self.tokens)
        phone = f"13{random.randrange(10**9):09d}"
        code = self.wechat.phone_code(f"P-{secrets.token_hex(8)}", openid=openid, phone=phone)
        body = {"users_name": "soak", "users_phone_code": code, "users_picture": AVATAR}
        response = await client.post(
            "/pb/api/wechat/profile", json=body, headers={"Authorization": token}
        )
        self.note("profile", response.status_code)
        if response.status_code == OK:
            self.profiles[pb_id] = phone

    async def refresh(self, client: httpx.AsyncClient) -> None:
        if self.tokens:
            token = random.choice(self.tokens)[2]
            response = await client.post(
                "/pb/api/system/refresh-token", headers={"Authorization": token}
            )
            self.note("refresh", response.status_code)

    async def count(self, client: httpx.AsyncClient) -> None:
        self.note("count", (await client.post("/pb/api/system/users-count")).status_code)

    async def client_loop(self, until: float) -> None:
        actions = [self.login, self.profile, self.profile, self.refresh, self.count]
        async with httpx.AsyncClient(base_url=self.base, timeout=15) as client:
            while time.monotonic() < until:
                try:
                    await random.choice(actions)(client)
                except httpx.TransportError:
                    self.note("transport-error", 0)


async def faults(soak: Soak, seconds: float, restart: str) -> list[str]:
    events, step = [], seconds / 8
    plan = [
        (step * 1, "WeChat slow (1.5 s per call)", lambda: setattr(soak.wechat, "delay", 1.5)),
        (step * 2, "WeChat normal", lambda: setattr(soak.wechat, "delay", 0.0)),
        (step * 3, "WeChat failing (HTTP 500)", lambda: setattr(soak.wechat, "fault", "http500")),
        (step * 4, "WeChat normal", lambda: setattr(soak.wechat, "fault", "")),
        (step * 5, "PostgreSQL restart", lambda: subprocess.run(restart, shell=True, check=True)),  # noqa: S602
    ]
    for at, label, act in plan:
        await asyncio.sleep(max(0.0, at - (time.monotonic() - soak.started)))
        await asyncio.to_thread(act)
        events.append(f"{time.monotonic() - soak.started:6.1f} s  {label}")
    return events


async def verify(url: str, soak: Soak) -> list[str]:
    connection = await asyncpg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        rows = await connection.fetch("SELECT pb_id, openid, users_phone FROM tbl_auth_users")
    finally:
        await connection.close()
    stored = {row["pb_id"]: (row["openid"], row["users_phone"]) for row in rows}
    problems = [
        f"registration {pb_id} acknowledged but missing"
        for pb_id in soak.registered
        if pb_id not in stored
    ]
    problems += [
        f"profile of {pb_id} acknowledged with a phone that is not stored"
        for pb_id, phone in soak.profiles.items()
        if stored.get(pb_id, ("", ""))[1] != phone
    ]
    problems += [
        f"{route} answered {status}"
        for route, status in soak.statuses
        if status not in SPEC_STATUSES
    ]
    return problems


def start_server(env: dict[str, str], log: Path) -> "subprocess.Popen[bytes]":
    with log.open("w") as output:
        command = [str(BAI), "serve"]
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)

    base = f"http://127.0.0.1:{env['BAI_PORT']}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/pb/api/health", timeout=1).status_code == OK:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("bai serve did not start:\n" + log.read_text())


async def drive(soak: Soak, seconds: float, clients: int, restart: str) -> list[str]:
    soak.started = time.monotonic()
    until = soak.started + seconds
    load = asyncio.gather(*(soak.client_loop(until) for _ in range(clients)))
    events = await faults(soak, seconds, restart)
    await load
    return events


def report(
    args: argparse.Namespace, soak: Soak, events: list[str], problems: list[str], tail: float
) -> None:
    setup = f"{args.seconds:.0f} s, {args.clients} clients, 2 workers, PostgreSQL, fake WeChat."
    print(f"# Soak run\n\n{setup}\n")
    print("## Faults\n\n```\n" + "\n".join(events) + "\n```\n")
    print("## Answers\n\n| route | status | count |\n|---|---|---|")
    for (route, status), count in sorted(soak.statuses.items()):
        print(f"| {route} | {status} | {count} |")
    print(f"\nAcknowledged registrations: {len(soak.registered)}.")
    print(f"Users with an acknowledged profile update: {len(soak.profiles)}.")
    print(f"200s in the last eighth, after every fault: {tail:.1%}.\n")

    verdict = "\n".join(f"- {problem}" for problem in problems) or (
        "No breach: every acknowledged write is stored, every answer is one of SPEC's statuses, "
        "and the service recovered by itself."
    )
    print("## Verdict\n\n" + verdict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=240)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--restart-postgres", default=RESTART)
    args = parser.parse_args()
    url = make_database("bai_soak")
    fake = FakeWeChatServer(FakeWeChat())
    data_dir = Path(tempfile.mkdtemp(prefix="bai-soak-"))
    env = {
        **os.environ,
        "BAI_DATABASE_URL": url,
        "BAI_PORT": str(free_port()),
        "BAI_WORKERS": "2",
        "BAI_RATE_LIMIT": "off",
        "BAI_WECHAT_APPID": fake.wechat.appid,
        "BAI_WECHAT_SECRET": fake.wechat.secret,
        "BAI_WECHAT_API_BASE": fake.url,
        "BAI_WECHAT_TIMEOUT": "3",
        "BAI_DATA_DIR": str(data_dir),
    }
    server = start_server(env, data_dir / "server.log")
    try:
        soak = Soak(f"http://127.0.0.1:{env['BAI_PORT']}", fake.wechat)
        events = asyncio.run(drive(soak, args.seconds, args.clients, args.restart_postgres))
        problems = asyncio.run(verify(url, soak))
        tail = [status for at, _, status in soak.timeline if at > args.seconds * 7 / 8]
        healthy = tail.count(OK) / max(1, len(tail))
        if healthy < HEALTHY_TAIL:
            problems.append(f"only {healthy:.0%} of answers in the last eighth were 200")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        fake.stop()
        drop_database(url)
    report(args, soak, events, problems, healthy)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
