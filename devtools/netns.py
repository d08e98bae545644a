"""Linux network namespaces for tests that must know where traffic can go (root only): the
cluster's hosts (`tests/cluster/harness.py`) and the offline docs page's browser. Each run names
what it makes after itself and removes only that, so two runs on one host leave each other be."""

import contextlib
import ipaddress
import os
import random
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


def _routed() -> list[ipaddress.IPv4Network]:
    """The networks this host routes to (its own addresses' included), default route aside."""
    lines = run("ip", "-4", "route", "show").stdout.splitlines()
    return [
        ipaddress.IPv4Network(line.split()[0], strict=False)
        for line in lines
        if line and line.split()[0] != "default"
    ]


def bridge_on_a_free_subnet(bridge: str, *, last_octet: int) -> str:
    """Create `bridge`, up, with `10.77.N.last_octet/24` for an N no route of this host covers
    (tried in random order; another run that took the same N in the same instant is seen, and
    the next N is tried). Returns `10.77.N`."""
    run("ip", "link", "add", bridge, "type", "bridge")
    run("ip", "link", "set", bridge, "up")
    for third in random.sample(range(256), 256):
        subnet = ipaddress.IPv4Network(f"10.77.{third}.0/24")
        if any(subnet.overlaps(routed) for routed in _routed()):
            continue
        address = f"10.77.{third}.{last_octet}/24"
        run("ip", "addr", "add", address, "dev", bridge)
        if [net for net in _routed() if net.overlaps(subnet)] == [subnet]:
            return f"10.77.{third}"
        run("ip", "addr", "del", address, "dev", bridge)
    raise RuntimeError("no free subnet in 10.77.0.0/16 for the test's bridge")
