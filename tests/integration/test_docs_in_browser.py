"""The docs page renders in a real browser with no internet: `bai serve` (memory://) and
headless Chromium's `--dump-dom` run in a network namespace of their own whose only interface
is loopback, so whatever the page asks of another host never arrives. Needs root (for the
namespace) and Debian's `chromium`; under CI=true missing either fails the run. (The page
driven by clicks, at a phone's width: `test_docs_page_in_browser.py`.)"""

import os
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from devtools.netns import in_namespace, run

from tests.support.browser import CHROMIUM
from tests.support.contract import contract
from tests.support.offline import loopback_only, served_in
from tests.support.required import require

NAMESPACE = f"baidocs-{os.getpid()}"


class RenderedOperations(HTMLParser):
    """What Swagger UI drew: one `opblock` per operation (method and operationId from its
    `opblock-<method>` class and `operations-<tag>-<operationId>` id), each showing its path."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.operations: set[tuple[str, str]] = set()
        self.paths: set[str] = set()
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if "opblock" in classes and (found.get("id") or "").startswith("operations-"):
            method = next(c.removeprefix("opblock-") for c in classes if c != "opblock")
            self.operations.add((method, (found["id"] or "").rsplit("-", 1)[-1]))
        if found.get("data-path"):
            self.paths.add(found["data-path"] or "")


@pytest.fixture
def offline() -> Iterator[str]:
    """A network namespace with loopback up and nothing else: no route off this machine."""
    with loopback_only(NAMESPACE) as namespace:
        require(CHROMIUM.exists(), "chromium (apt-get install chromium)")
        yield namespace


@pytest.fixture
def served(offline: str, tmp_path: Path) -> Iterator[str]:
    """`bai serve` inside the namespace, once it listens; its base URL there."""
    with served_in(offline, tmp_path, {"BAI_DATABASE_URL": "memory://", "BAI_DOCS": "on"}) as url:
        yield url


def rendered_dom(namespace: str, url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran (virtual time lets Swagger UI finish drawing)."""
    done = subprocess.run(
        in_namespace(
            namespace,
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("address", ["1.1.1.1", "2606:4700:4700::1111"])
def test_the_namespace_has_no_route_off_the_machine(offline: str, address: str) -> None:
    route = run(*in_namespace(offline, "ip", "route", "get", address), check=False)

    assert route.returncode != 0
    assert "unreachable" in route.stderr


def test_the_docs_page_renders_every_contract_operation_offline(
    offline: str, served: str, tmp_path: Path
) -> None:
    drawn = RenderedOperations(rendered_dom(offline, f"{served}/pb/api/docs", tmp_path / "c"))

    for path, operations in contract()["paths"].items():
        for method, operation in operations.items():
            assert (method, operation["operationId"]) in drawn.operations, (path, method)
            assert path in drawn.paths
