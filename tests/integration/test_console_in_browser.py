"""The operator console in a real browser (headless Debian Chromium through Playwright, inside a
namespace with loopback only): an operator added with `bai operators add` signs in, sees the
overview, signs out; a wrong password is refused on the page; the pages ask nothing of another
host and fit a phone's width."""

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.browser import Browsing

BAI = Path(sys.executable).parent / "bai"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def browser_site_env(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, str]:
    """A SQLite file with one admin, added as an operator adds one."""
    folder = tmp_path_factory.mktemp("console-site")
    env = {
        "BAI_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bai.db",
        "BAI_DATA_DIR": str(folder),
        # The browser reaches the server on the namespace's loopback, which is allowed.
        "BAI_CONSOLE_ALLOW": "127.0.0.0/8",
    }
    run = {**{k: v for k, v in os.environ.items() if not k.startswith("BAI_")}, **env}
    subprocess.run([BAI, "migrate"], env=run, check=True, capture_output=True)
    added = subprocess.run(
        [BAI, "operators", "add", "ops@example.com"],
        env=run,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    return env


def signed_in(browsing: Browsing, password: str = PASSWORD) -> None:
    browsing.open("/pb/console/")
    browsing.page.get_by_label("邮箱").fill("ops@example.com")
    browsing.page.get_by_label("密码").fill(password)
    browsing.page.get_by_role("button", name="登录").click()


def test_an_operator_signs_in_sees_the_overview_and_signs_out(
    browsing: Browsing, tmp_path: Path
) -> None:
    signed_in(browsing)

    expect(browsing.page.get_by_role("heading", name="概览")).to_be_visible()
    expect(browsing.page.locator("#users")).to_have_text("0")
    expect(browsing.page.get_by_text("ops@example.com (admin)")).to_be_visible()
    browsing.screenshot(tmp_path / "console-overview.png")
    browsing.page.get_by_role("button", name="退出").click()
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()
    browsing.open("/pb/console/")
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()


def test_a_wrong_password_is_refused_on_the_page(browsing: Browsing) -> None:
    signed_in(browsing, "not the password")

    expect(browsing.page.get_by_role("alert")).to_have_text("邮箱或密码不正确")
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()


def test_the_pages_ask_nothing_of_another_host_and_fit_a_phone(browsing: Browsing) -> None:
    browsing.as_phone()
    signed_in(browsing)
    expect(browsing.page.get_by_role("heading", name="概览")).to_be_visible()
    browsing.page.wait_for_load_state("networkidle")

    assert not browsing.scrolls_sideways()
    assert any(url.endswith("/pb/console/static/console.css") for url in browsing.requested)
    assert browsing.elsewhere() == []
