"""Hosts on one machine: Linux network namespaces on a private bridge (docs/cluster.md).

    bai-c-db   10.77.0.1   PostgreSQL (a cluster of its own, initdb), PgBouncer (transaction
                           pooling), Redis, the cluster test's WeChat
    bai-c-h1   10.77.0.11  bai serve, 2 workers
    bai-c-h2   10.77.0.12  bai serve, 2 workers
    (root)     10.77.0.254 the test itself, on the bridge bai-c-br

Everything is created by `Cluster.start` and removed by `Cluster.stop`, which also runs when
start fails half-way. Traffic stays on this machine: the bridge has no route anywhere else.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from devtools.netns import in_namespace, remove_namespace, run

ROOT = Path(__file__).resolve().parents[2]
BAI = Path(sys.executable).parent / "bai"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
BRIDGE = "bai-c-br"
SUBNET = "10.77.0"
DB_HOST = f"{SUBNET}.1"
TESTER = f"{SUBNET}.254"
APPID, APP_SECRET = "wx-cluster", "cluster-app-secret"
TOKEN_SECRET = "cluster-test-collection-secret-0123456789"
WECHAT_PORT, PGBOUNCER_PORT, PG_PORT = 18080, 6432, 5432


@dataclass
class Cluster:
    hosts: dict[str, str] = field(
        default_factory=lambda: {"bai-c-h1": f"{SUBNET}.11", "bai-c-h2": f"{SUBNET}.12"}
    )
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bai-cluster-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [f"http://{address}:8090" for address in self.hosts.values()]

    def start(self, **bai_env: str) -> None:
        try:
            self._network()
            self._database_host()
            for namespace, address in self.hosts.items():
                self._bai(namespace, address, bai_env)
            for url in self.urls:
                self._wait_healthy(url)
        except BaseException:
            self.stop()
            raise

    def _network(self) -> None:
        self.stop_network()
        run("ip", "link", "add", BRIDGE, "type", "bridge")
        run("ip", "addr", "add", f"{TESTER}/24", "dev", BRIDGE)
        run("ip", "link", "set", BRIDGE, "up")
        for n, (namespace, address) in enumerate([("bai-c-db", DB_HOST), *self.hosts.items()]):
            run("ip", "netns", "add", namespace)
            self.namespaces.append(namespace)
            outside, inside = f"bai-c-v{n}", f"bai-c-p{n}"
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            run("ip", "link", "set", outside, "master", BRIDGE)
            run("ip", "link", "set", outside, "up")
            run("ip", "link", "set", inside, "netns", namespace)
            run(*in_namespace(namespace, "ip", "addr", "add", f"{address}/24", "dev", inside))
            run(*in_namespace(namespace, "ip", "link", "set", inside, "up"))
            run(*in_namespace(namespace, "ip", "link", "set", "lo", "up"))

    def _database_host(self) -> None:
        data = self.folder / "pgdata"
        data.mkdir()
        shutil.chown(self.folder, "postgres")
        shutil.chown(data, "postgres")
        run(
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "--auth=trust",
            "--no-sync",
        )
        with (data / "pg_hba.conf").open("a") as rules:
            rules.write(f"host all all {SUBNET}.0/24 trust\n")
        self._spawn(
            "postgres",
            "bai-c-db",
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-c",
            f"listen_addresses={DB_HOST}",
            "-c",
            f"unix_socket_directories={self.folder}",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=100",
        )
        self._until(
            in_namespace(
                "bai-c-db", str(PG_BIN / "createdb"), "-h", DB_HOST, "-U", "postgres", "bai"
            )
        )
        bouncer = self.folder / "pgbouncer.ini"
        bouncer.write_text(
            f"[databases]\n* = host={DB_HOST} port={PG_PORT} user=postgres\n\n[pgbouncer]\n"
            f"listen_addr = {DB_HOST}\nlisten_port = {PGBOUNCER_PORT}\nauth_type = any\n"
            "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
            "unix_socket_dir =\n"
        )
        self._spawn("pgbouncer", "bai-c-db", "pgbouncer", "-u", "postgres", str(bouncer))
        self._spawn(
            "redis",
            "bai-c-db",
            "redis-server",
            "--bind",
            DB_HOST,
            "--port",
            "6379",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
        )
        self._spawn(
            "wechat",
            "bai-c-db",
            sys.executable,
            "-m",
            "tests.cluster.wechat",
            DB_HOST,
            str(WECHAT_PORT),
            APPID,
            APP_SECRET,
        )
        for port in (PGBOUNCER_PORT, 6379, WECHAT_PORT):
            self._wait_port(DB_HOST, port)

    def environment(self, address: str, extra: dict[str, str]) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "BAI_ENV": "production",
            "BAI_HOST": address,
            "BAI_WORKERS": "2",
            "BAI_DATA_DIR": str(self.folder / address),
            "BAI_DATABASE_URL": f"postgresql://postgres@{DB_HOST}:{PGBOUNCER_PORT}/bai",
            "BAI_DATABASE_POOL_MODE": "transaction",
            "BAI_DATABASE_POOL_SIZE": "4",
            "BAI_MIGRATION_DATABASE_URL": f"postgresql://postgres@{DB_HOST}:{PG_PORT}/bai",
            "BAI_REDIS_URL": f"redis://{DB_HOST}:6379/0",
            "BAI_WECHAT_APPID": APPID,
            "BAI_WECHAT_SECRET": APP_SECRET,
            "BAI_WECHAT_API_BASE": f"http://{DB_HOST}:{WECHAT_PORT}",
            "BAI_TOKEN_SECRET": TOKEN_SECRET,
            "BAI_TRUSTED_PROXIES": "",
            **extra,
        }

    def _bai(self, namespace: str, address: str, extra: dict[str, str]) -> None:
        self._spawn(namespace, namespace, str(BAI), "serve", env=self.environment(address, extra))

    def _spawn(
        self, name: str, namespace: str, *command: str, env: dict[str, str] | None = None
    ) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            in_namespace(namespace, *command),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env or {**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def _wait_port(self, host: str, port: int) -> None:
        self._until(in_namespace("bai-c-db", "bash", "-c", f"echo > /dev/tcp/{host}/{port}"))

    def _until(self, command: list[str]) -> None:
        """Run `command` until it succeeds (a server still starting), for 30 s at most."""
        deadline = time.monotonic() + 30
        while True:
            result = run(*command, check=False)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {name}\n{self.log(name)[-1500:]}" for name in self.processes)
                raise RuntimeError(f"{' '.join(command)}: {result.stderr}\n{logs}")
            time.sleep(0.1)

    def _wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/pb/api/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        logs = "\n".join(f"--- {name}\n{self.log(name)[-2000:]}" for name in self.processes)
        raise RuntimeError(f"{url} did not become healthy\n{logs}")

    def stop(self) -> None:
        for name in list(self.processes):
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                self.kill(name)
        self.stop_network()
        shutil.rmtree(self.folder, ignore_errors=True)

    def stop_network(self) -> None:
        listed = run("ip", "netns", "list", check=False).stdout.split()
        for namespace in {
            *self.namespaces,
            *(name for name in listed if name.startswith("bai-c-")),
        }:
            remove_namespace(namespace)
        self.namespaces.clear()
        run("ip", "link", "del", BRIDGE, check=False)
