"""What the browser tests rest on (`tests/support/browser.py`): a request to another host is
recorded and never arrives, and a page wider than a phone is seen to scroll sideways."""

from playwright.sync_api import expect

from tests.support.browser import Browsing

FETCH = "url => fetch(url).then(() => 'arrived', error => error.name)"


def test_a_request_to_another_host_is_recorded_and_never_arrives(browsing: Browsing) -> None:
    browsing.open("/pb/api/health")

    outcome = browsing.page.evaluate(FETCH, "http://1.1.1.1/probe")

    assert outcome == "TypeError"
    assert browsing.elsewhere() == ["http://1.1.1.1/probe"]


def test_a_page_wider_than_a_phone_scrolls_sideways(browsing: Browsing) -> None:
    browsing.as_phone()
    browsing.page.set_content('<div id="wide" style="width: 391px">wide</div>')
    expect(browsing.page.locator("#wide")).to_be_visible()

    assert browsing.scrolls_sideways()
