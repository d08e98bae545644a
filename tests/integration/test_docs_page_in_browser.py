"""The docs page driven in a real browser (`tests/support/browser.py`): Swagger UI draws every
operation, a click opens one, the page asks nothing of any host but BAI, and it fits a phone's
width. The DOM it draws, checked against the whole contract: `test_docs_in_browser.py`."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.support.browser import Browsing
from tests.support.contract import contract

DOCS = "/pb/api/docs"
LOGIN = '.opblock[id$="-postWechatLogin"]'


def test_the_page_draws_every_operation(browsing: Browsing) -> None:
    browsing.open(DOCS)

    expect(browsing.page.locator(LOGIN)).to_be_visible()
    for operations in contract()["paths"].values():
        for operation in operations.values():
            expect(
                browsing.page.locator(f'.opblock[id$="-{operation["operationId"]}"]')
            ).to_be_visible()


def test_a_click_opens_an_operation(browsing: Browsing) -> None:
    browsing.open(DOCS)
    login = browsing.page.locator(LOGIN)

    login.locator(".opblock-summary").click()

    expect(login).to_have_class(re.compile(r"\bis-open\b"))
    expect(login.locator(".opblock-body")).to_be_visible()


def test_every_request_stays_on_bais_origin(browsing: Browsing) -> None:
    browsing.open(DOCS)
    expect(browsing.page.locator(LOGIN)).to_be_visible()
    browsing.page.wait_for_load_state("networkidle")

    assert any(url.endswith("/swagger-ui-bundle.js") for url in browsing.requested)
    assert browsing.elsewhere() == []


def test_the_page_fits_a_phone(browsing: Browsing, tmp_path: Path) -> None:
    browsing.as_phone()
    browsing.open(DOCS)
    expect(browsing.page.locator(LOGIN)).to_be_visible()

    assert not browsing.scrolls_sideways()
    assert browsing.screenshot(tmp_path / "docs-phone.png").stat().st_size > 0
