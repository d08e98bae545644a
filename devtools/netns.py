"""Linux network namespaces for tests that must know where traffic can go (root only): the
cluster's hosts (`tests/cluster/harness.py`) and the offline docs page's browser."""

import contextlib
import os
import signal
import subprocess


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)  # noqa: S603


def in_namespace(namespace: str, *command: str) -> list[str]:
    return ["ip", "netns", "exec", namespace, *command]


def remove_namespace(namespace: str) -> None:
    """Kill what still runs in `namespace`, then delete it; quiet if it is not there."""
    for pid in run("ip", "netns", "pids", namespace, check=False).stdout.split():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    run("ip", "netns", "del", namespace, check=False)
