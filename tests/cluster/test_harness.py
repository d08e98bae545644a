"""Two runs of the cluster test on one host: each names its namespaces, links and subnet after
itself and removes only those."""

import os

from devtools.netns import run

from tests.cluster.harness import Cluster
from tests.support.required import require


def test_a_run_that_stops_leaves_another_run_s_network_standing() -> None:
    require(os.geteuid() == 0, "root (for network namespaces)")
    first, second = Cluster(), Cluster()
    try:
        first.network()
        second.network()
        second.stop()

        assert set(first.namespaces) <= set(run("ip", "netns", "list").stdout.split())
        assert run("ip", "link", "show", first.bridge, check=False).returncode == 0
        assert run("ip", "netns", "list").stdout.count(second.run) == 0
        assert first.subnet != second.subnet
    finally:
        first.stop()
        second.stop()

    assert first.run not in run("ip", "-o", "link", "show").stdout
