"""PgBouncer in transaction pooling mode on loopback, in front of the tests' PostgreSQL, started
by the tests (Debian's `pgbouncer`). Under CI=true a missing binary fails the run."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.tcp_proxy import free_port

BINARY = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
CONFIG = """[databases]
* = host={host} port={port} user={user}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
auth_type = any
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
unix_socket_dir =
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


def _wait_for(port: int) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def run_pgbouncer(server_url: str) -> Iterator[str]:
    """Yield the URL of `server_url`'s database through a fresh PgBouncer."""
    if not Path(BINARY).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("pgbouncer is required under CI=true (apt-get install pgbouncer)")
        pytest.skip("pgbouncer is not installed")
    target = make_url(server_url)
    folder = Path(tempfile.mkdtemp(prefix="bai-pgbouncer-"))
    folder.chmod(0o777)
    port = free_port()
    config = folder / "pgbouncer.ini"
    config.write_text(
        CONFIG.format(
            host=target.host or "127.0.0.1",
            port=target.port or 5432,
            user=target.username or "postgres",
            listen=port,
            folder=folder,
        )
    )
    config.chmod(0o644)
    command = [BINARY, str(config)]
    if os.geteuid() == 0:  # PgBouncer will not run as root
        command[1:1] = ["-u", "postgres"]
    # Its output goes to its log file, never to a pipe nobody reads (a full pipe stops it).
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not _wait_for(port):
            log = folder / "pgbouncer.log"
            pytest.fail(f"pgbouncer did not start: {log.read_text() if log.exists() else ''}")
        yield target.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        shutil.rmtree(folder, ignore_errors=True)
