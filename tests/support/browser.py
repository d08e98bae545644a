"""Pages in a real browser: Debian's headless Chromium, driven by Playwright, with BAI and the
browser in a loopback-only network namespace (`tests/support/offline.py`), so a request to
another host is recorded but never arrives. Playwright's own browser builds are neither used nor
downloaded: it launches `/usr/bin/chromium` (`make system-packages`), through a wrapper that
starts it inside the namespace; Playwright speaks to it over pipes, which `ip netns exec` hands
on, while this test process keeps its own network. Root and chromium missing fail under CI=true.

A test asks for `browsing` (registered in `tests/conftest.py`); a module overrides
`browser_site_env` to serve BAI with other settings. One browser and one `bai serve` a module."""

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from tests.support.offline import loopback_only, served_in
from tests.support.required import require

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
PHONE: ViewportSize = {"width": 390, "height": 844}  # CSS pixels of a common phone, portrait


class Site(NamedTuple):
    """BAI served inside `namespace`, at `origin` there."""

    namespace: str
    origin: str


@contextmanager
def chromium_in(namespace: str, scratch: Path) -> Iterator[Browser]:
    """Debian's Chromium, headless, running inside `namespace`; `scratch` holds its wrapper."""
    require(CHROMIUM.exists(), "chromium (apt-get install chromium)")
    wrapper = scratch / "chromium-in-namespace"
    wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {namespace} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=wrapper, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


class Browsing:
    """One page, in a context of its own, on the site at `origin`; `requested` is every URL
    the page, its frames and its workers asked for, whether it arrived or not."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requested: list[str] = []
        page.context.on("request", lambda request: self.requested.append(request.url))

    def open(self, path: str) -> None:
        self.page.goto(f"{self.origin}{path}")

    def elsewhere(self) -> list[str]:
        """The requested URLs that are not on the site's origin."""
        own = urlsplit(self.origin)
        return [
            url
            for url in self.requested
            if (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)
        ]

    def as_phone(self) -> None:
        self.page.set_viewport_size(PHONE)

    def scrolls_sideways(self) -> bool:
        wider: bool = self.page.evaluate("document.documentElement.scrollWidth > innerWidth")
        return wider

    def screenshot(self, path: Path) -> Path:
        """The whole page, as PNG, at `path`."""
        self.page.screenshot(path=path, full_page=True)
        return path


@pytest.fixture(scope="module")
def browser_site_env() -> Mapping[str, str]:
    """BAI's settings for the module's site; a module overrides this fixture to change them."""
    return {"BAI_DATABASE_URL": "memory://", "BAI_DOCS": "on"}


@pytest.fixture(scope="module")
def browser_site(
    browser_site_env: Mapping[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """A loopback-only namespace with `bai serve` in it."""
    with loopback_only(f"baibrowser-{os.getpid()}") as namespace:
        data_dir = tmp_path_factory.mktemp("site")
        with served_in(namespace, data_dir, browser_site_env) as url:
            yield Site(namespace, url)


@pytest.fixture(scope="module")
def browser(browser_site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One browser for the module, in the site's namespace."""
    with chromium_in(browser_site.namespace, tmp_path_factory.mktemp("chromium")) as launched:
        yield launched


@pytest.fixture
def browsing(browser: Browser, browser_site: Site) -> Iterator[Browsing]:
    """A fresh page (own cookies and storage) on the site, at a desktop's size."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        yield Browsing(context.new_page(), browser_site.origin)
    finally:
        context.close()
