"""Hosts on one machine: Linux network namespaces on a private bridge (docs/cluster.md).

    bai-c-RUN-db   10.77.N.1   PostgreSQL (a cluster of its own, initdb), PgBouncer (transaction
                               pooling), Redis, the cluster test's WeChat
    bai-c-RUN-h1   10.77.N.11  bai serve, 2 workers
    bai-c-RUN-h2   10.77.N.12  bai serve, 2 workers
    (root)         10.77.N.254 the test itself, on the bridge baicRUNbr

RUN is random for each run and N a /24 that no route of the host covers, so two runs on one
host never meet. Everything is created by `Cluster.start` and removed by `Cluster.stop`, which
also runs when start fails half-way; a run removes only what it made. Traffic stays on this
machine: the bridge has no route anywhere else.
"""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from devtools.netns import bridge_on_a_free_subnet, in_namespace, remove_namespace, run

ROOT = Path(__file__).resolve().parents[2]
BAI = Path(sys.executable).parent / "bai"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
APPID, APP_SECRET = "wx-cluster", "cluster-app-secret"
TOKEN_SECRET = "cluster-test-collection-secret-0123456789"
WECHAT_PORT, PGBOUNCER_PORT, PG_PORT = 18080, 6432, 5432


@dataclass
class Cluster:
    run: str = field(default_factory=lambda: secrets.token_hex(3))
    subnet: str = ""  # 10.77.N, chosen when the bridge is made
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="bai-cluster-")))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    namespaces: list[str] = field(default_factory=list)

    def namespace(self, role: str) -> str:
        return f"bai-c-{self.run}-{role}"

    @property
    def bridge(self) -> str:
        return f"baic{self.run}br"  # an interface name: 15 characters at most

    @property
    def database(self) -> str:
        return self.namespace("db")

    @property
    def db_host(self) -> str:
        return f"{self.subnet}.1"

    @property
    def hosts(self) -> dict[str, str]:
        return {self.namespace(f"h{n}"): f"{self.subnet}.1{n}" for n in (1, 2)}

    @property
    def urls(self) -> list[str]:
        return [f"http://{address}:8090" for address in self.hosts.values()]

    def start(self, **bai_env: str) -> None:
        try:
            self.network()
            self._database_host()
            for namespace, address in self.hosts.items():
                self._bai(namespace, address, bai_env)
            for url in self.urls:
                self._wait_healthy(url)
        except BaseException:
            self.stop()
            raise

    def network(self) -> None:
        """The bridge, the namespaces and their links (a part of `start`)."""
        self.subnet = bridge_on_a_free_subnet(self.bridge, last_octet=254)
        for n, (namespace, address) in enumerate(
            [(self.database, self.db_host), *self.hosts.items()]
        ):
            run("ip", "netns", "add", namespace)
            self.namespaces.append(namespace)
            outside, inside = f"baic{self.run}v{n}", f"baic{self.run}p{n}"
            run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside)
            run("ip", "link", "set", outside, "master", self.bridge)
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
            rules.write(f"host all all {self.subnet}.0/24 trust\n")
        self._spawn(
            "postgres",
            self.database,
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "postgres"),
            "-D",
            str(data),
            "-c",
            f"listen_addresses={self.db_host}",
            "-c",
            f"unix_socket_directories={self.folder}",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=100",
        )
        self._until(
            in_namespace(
                self.database, str(PG_BIN / "createdb"), "-h", self.db_host, "-U", "postgres", "bai"
            )
        )
        bouncer = self.folder / "pgbouncer.ini"
        bouncer.write_text(
            f"[databases]\n* = host={self.db_host} port={PG_PORT} user=postgres\n\n[pgbouncer]\n"
            f"listen_addr = {self.db_host}\nlisten_port = {PGBOUNCER_PORT}\nauth_type = any\n"
            "pool_mode = transaction\nmax_client_conn = 500\ndefault_pool_size = 20\n"
            "unix_socket_dir =\n"
        )
        self._spawn("pgbouncer", self.database, "pgbouncer", "-u", "postgres", str(bouncer))
        self._spawn(
            "redis",
            self.database,
            "redis-server",
            "--bind",
            self.db_host,
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
            self.database,
            sys.executable,
            "-m",
            "tests.cluster.wechat",
            self.db_host,
            str(WECHAT_PORT),
            APPID,
            APP_SECRET,
        )
        for port in (PGBOUNCER_PORT, 6379, WECHAT_PORT):
            self._wait_port(self.db_host, port)

    def environment(self, address: str, extra: dict[str, str]) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", ""),
            "BAI_ENV": "production",
            "BAI_HOST": address,
            "BAI_WORKERS": "2",
            "BAI_DATA_DIR": str(self.folder / address),
            "BAI_DATABASE_URL": f"postgresql://postgres@{self.db_host}:{PGBOUNCER_PORT}/bai",
            "BAI_DATABASE_POOL_MODE": "transaction",
            "BAI_DATABASE_POOL_SIZE": "4",
            "BAI_MIGRATION_DATABASE_URL": f"postgresql://postgres@{self.db_host}:{PG_PORT}/bai",
            "BAI_REDIS_URL": f"redis://{self.db_host}:6379/0",
            "BAI_WECHAT_APPID": APPID,
            "BAI_WECHAT_SECRET": APP_SECRET,
            "BAI_WECHAT_API_BASE": f"http://{self.db_host}:{WECHAT_PORT}",
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
        self._until(in_namespace(self.database, "bash", "-c", f"echo > /dev/tcp/{host}/{port}"))

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
        for namespace in self.namespaces:
            remove_namespace(namespace)
        self.namespaces.clear()
        for n in range(len(self.hosts) + 1):  # a pair not yet moved into its namespace
            run("ip", "link", "del", f"baic{self.run}v{n}", check=False)
        run("ip", "link", "del", self.bridge, check=False)
