"""The servers a benchmark drives: BAI started here, the Node peer started by its own scripts,
or any running server of the API (`--target`); and what their processes spend."""

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from devtools.net import free_port
from seeding import dsn

TICK = os.sysconf("SC_CLK_TCK")
# A process that ended meanwhile is skipped.
_ENDED = contextlib.suppress(FileNotFoundError, ProcessLookupError)


@dataclass
class Server:
    """A server of BAI's API at `base`; `root` is its first process when known (CPU, memory),
    `database` the one it alone uses when known (PostgreSQL's CPU per request)."""

    name: str
    base: str
    root: int | None = None
    database: str | None = None
    stop_command: list[str] = field(default_factory=list)
    process: "subprocess.Popen[bytes] | None" = None

    def pids(self) -> list[int]:
        return descendants(self.root) if self.root else []

    def workers(self) -> list[int]:
        return self.pids()[1:]

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        if self.stop_command:
            subprocess.run(self.stop_command, check=False, capture_output=True)


def descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop(0)
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with _ENDED:
                queue += [int(child) for child in (task / "children").read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far (their `/proc/<pid>/stat`)."""
    total = 0
    for pid in pids:
        with _ENDED:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / TICK


def memory_mb(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        with _ENDED:
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
            sizes.append(round(int(match.group(1)) / 1024, 1) if match else 0.0)
    return sizes


def backends(url: str) -> list[int]:
    """The PostgreSQL server processes serving the database of `url` now."""

    async def query() -> list[int]:
        connection = await asyncpg.connect(dsn(url))
        try:
            sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            return [row["pid"] for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(query())


def wait_healthy(base: str, *, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{base}/pb/api/health", timeout=1).status_code == 200:
                return True
        time.sleep(0.3)
    return False


def start_bai(env: dict[str, str], log: Path, bin_dir: Path) -> Server:
    with log.open("w") as output:
        process = subprocess.Popen(
            [str(bin_dir / "bai"), "serve"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{env['BAI_PORT']}"
    server = Server("BAI", base, process.pid, env["BAI_DATABASE_URL"], process=process)
    if not wait_healthy(base):
        server.stop()
        raise SystemExit("bai serve did not start:\n" + log.read_text())
    return server


def start_node_peer(source: Path, scratch: Path, env: dict[str, str]) -> Server:
    """The Node build from `source`, run from a writable copy in `scratch` (npm installs there)
    through its own start.sh, which returns once it is healthy; its stop.sh stops it."""
    if not (scratch / "node_modules").is_dir():
        shutil.copytree(source, scratch, dirs_exist_ok=True)
        subprocess.run(["chmod", "-R", "u+w", str(scratch)], check=True)
    run_dir = Path(env["RUN_DIR"])
    started = subprocess.run(
        [str(scratch / "start.sh")], env=env, capture_output=True, text=True, check=False
    )
    if started.returncode:
        raise SystemExit(f"node peer did not start:\n{started.stdout}{started.stderr}")
    root = int((run_dir / "node-ref.pid").read_text())
    base = f"http://{env.get('HOST', '127.0.0.1')}:{env['PORT']}"
    stop = ["env", f"RUN_DIR={run_dir}", str(scratch / "stop.sh")]
    return Server("node", base, root, env["DATABASE_URL"], stop_command=stop)


def start_floor(folder: Path, workers: int, scratch: Path) -> Server:
    """The framework's floor (floor.py in `folder`) with `workers` Granian workers."""
    port = free_port()
    with (scratch / "floor.log").open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "floor.py", str(port), str(workers)],
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server("floor", f"http://127.0.0.1:{port}", process.pid, process=process)
    if not wait_healthy(server.base):
        server.stop()
        raise SystemExit(
            "the framework's floor did not start:\n" + (scratch / "floor.log").read_text()
        )
    return server
