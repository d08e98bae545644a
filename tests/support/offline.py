"""BAI where nothing can leave the machine: a network namespace whose only interface is
loopback (root only), and `bai serve` inside it, so whatever a page asks of another host never
arrives. Used by the browser tests (`tests/support/browser.py`)."""

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from devtools.net import free_port
from devtools.netns import in_namespace, remove_namespace, run

from tests.support.required import require

BAI = Path(sys.executable).parent / "bai"
LISTENING = (  # bash: whether port $0 on loopback accepts a connection within 30 s
    "for _ in $(seq 300); do (echo > /dev/tcp/127.0.0.1/$0) 2>/dev/null && exit 0; sleep 0.1;"
    " done; exit 1"
)


@contextmanager
def loopback_only(namespace: str) -> Iterator[str]:
    """The network namespace `namespace`, loopback up and nothing else: no route off this
    machine. Removed (with whatever still runs in it) on the way out."""
    require(os.geteuid() == 0, "root (for a network namespace)")
    remove_namespace(namespace)
    run("ip", "netns", "add", namespace)
    try:
        run(*in_namespace(namespace, "ip", "link", "set", "lo", "up"))
        yield namespace
    finally:
        remove_namespace(namespace)


@contextmanager
def served_in(namespace: str, data_dir: Path, env: Mapping[str, str]) -> Iterator[str]:
    """`bai serve` inside `namespace` with the settings `env`, once it listens; its base URL
    there. Its output goes to `data_dir/bai.log`, shown if it never starts."""
    port = free_port()
    settings = {**os.environ, "BAI_DATA_DIR": str(data_dir), **env}
    settings |= {"BAI_HOST": "127.0.0.1", "BAI_PORT": str(port)}
    log = data_dir / "bai.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            in_namespace(namespace, str(BAI), "serve"), env=settings, stdout=output, stderr=output
        )
    try:
        started = run(*in_namespace(namespace, "bash", "-c", LISTENING, str(port)), check=False)
        assert started.returncode == 0, log.read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
