"""The operator console in a real browser (headless Debian Chromium through Playwright, inside a
namespace with loopback only), served by `bai serve` on SQLite behind a trusted proxy, with an
admin and a viewer added by `bai operators add`:

- an admin signs in, finds a mini-program user by their phone, opens them, disables them (BAI's
  API then answers their token 401), finds it in the audit trail, signs out;
- a wrong password is refused on the page, and five lock the email;
- a viewer sees no action, and an action forged from their page is 403; a POST without the
  form's token is 403; an address outside `BAI_CONSOLE_ALLOW` gets 404;
- every page asks nothing of another host and fits a phone's width.

With `BAI_SCREENSHOTS=DIR` the pages are saved there as PNG (`make screenshots`: the README's)."""

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from devtools.netns import in_namespace, run
from playwright.sync_api import Browser, expect

from bai.adapters.backends import storage_for
from bai.adapters.storage import StorageOptions
from bai.adapters.system.clock import SystemClock
from bai.adapters.wechat.sandbox import sandbox_phone
from bai.domain.identities import Identity, IdentityConflict
from tests.support.browser import Browsing, Site
from tests.support.builders import a_user
from tests.support.identity_stores import APPS_FILE, OTHER, PRIMARY, conflict_kept

BAI = Path(sys.executable).parent / "bai"
PASSWORD = "correct horse battery staple"
ADMIN, VIEWER, LOCKED = "ops@example.com", "viewer@example.com", "locked@example.com"
PROXIED = "203.0.113.0/24"  # allowed, as nginx names the client in X-Forwarded-For
SHOTS = os.environ.get("BAI_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def browser_site_env(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, str]:
    """A SQLite file with an admin and a viewer, added as an operator adds them."""
    folder = tmp_path_factory.mktemp("console-site")
    apps = folder / "apps.toml"
    apps.write_text(APPS_FILE, encoding="utf-8")  # two sandbox apps: conflicts can arise
    env = {
        "BAI_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bai.db",
        "BAI_DATA_DIR": str(folder),
        "BAI_WECHAT_APPS_FILE": str(apps),
        # The browser reaches the server on the namespace's loopback, allowed; a request that
        # names another client through the trusted proxy is judged by that address.
        "BAI_CONSOLE_ALLOW": f"127.0.0.0/8,{PROXIED}",
        "BAI_TRUSTED_PROXIES": "127.0.0.1/32",
    }
    run_env = {**{k: v for k, v in os.environ.items() if not k.startswith("BAI_")}, **env}
    subprocess.run([BAI, "migrate"], env=run_env, check=True, capture_output=True)
    for email, role in ((ADMIN, "admin"), (VIEWER, "viewer"), (LOCKED, "admin")):
        added = subprocess.run(
            [BAI, "operators", "add", email, "--role", role],
            env=run_env,
            input=PASSWORD + "\n",
            text=True,
            capture_output=True,
            check=False,
        )
        assert added.returncode == 0, added.stderr
    return env


def api(site: Site, path: str, body: dict[str, Any], token: str = "") -> tuple[int, Any]:
    """A mini-program's request to BAI's API, made inside the site's namespace."""
    script = (
        "import httpx, json, sys; a = json.loads(sys.argv[1]);"
        " r = httpx.post(a['url'], json=a['body'], headers=a['headers']);"
        " print(json.dumps([r.status_code, r.json()]))"
    )
    asked = {
        "url": f"{site.origin}/pb/api{path}",
        "body": body,
        "headers": {"Authorization": f"Bearer {token}"} if token else {},
    }
    ran = run(*in_namespace(site.namespace, sys.executable, "-c", script, json.dumps(asked)))
    status, answer = json.loads(ran.stdout)
    return status, answer


def signed_up(site: Site, person: str) -> tuple[str, str]:
    """A user who signed in through the sandbox WeChat and gave their phone: token, phone."""
    status, login = api(site, "/wechat/login", {"users_wx_code": f"{person}-code"})
    assert status == 200, login
    token = login["token"]
    profile = {
        "users_name": "张三",
        "users_phone_code": f"{person}-phone",
        "users_picture": "https://cdn.example.com/a.png",
    }
    status, answer = api(site, "/wechat/profile", profile, token)
    assert status == 200, answer
    return token, sandbox_phone(f"{person}-phone")


@pytest.fixture(scope="module")
def mini_program_user(browser_site: Site) -> tuple[str, str]:
    return signed_up(browser_site, "browser-user")


def conflicts_kept(database_url: str) -> list[IdentityConflict]:
    """Two conflicts in the site's SQLite file, as WeChat's unionids raise them: a shop
    identity of a user of its own, whose unionid the holder has."""

    async def kept() -> list[IdentityConflict]:
        storage = storage_for(
            StorageOptions(url=database_url, primary_appid=PRIMARY), clock=SystemClock()
        )
        try:
            now = SystemClock().now()
            holder = await storage.identities.register(
                a_user(openid="o-holder"),
                Identity(appid=PRIMARY, openid="o-holder", pb_id="", created=now),
            )
            return [
                await conflict_kept(
                    storage.identities, appid=OTHER, openid=f"o-shop-{n}",
                    holder=holder.pb_id, at=now,
                )
                for n in range(2)
            ]  # fmt: skip
        finally:
            await storage.close()

    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API holds this thread's loop
        return thread.submit(asyncio.run, kept()).result()


def confirm(browsing: Browsing, action: str) -> None:
    browsing.page.get_by_role("link", name=action, exact=True).click()
    browsing.page.get_by_role("button", name=f"确认{action}").click()


def signed_in(browsing: Browsing, email: str = ADMIN, password: str = PASSWORD) -> None:
    browsing.open("/pb/console/")
    browsing.page.get_by_label("邮箱").fill(email)
    browsing.page.get_by_label("密码").fill(password)
    browsing.page.get_by_role("button", name="登录").click()


def shot(browsing: Browsing, name: str) -> None:
    if SHOTS:
        browsing.screenshot(Path(SHOTS) / f"{name}.png")


def posted(browsing: Browsing, path: str, form: dict[str, str]) -> int:
    """A form POST made by the page's own origin (as a forged or altered form would be)."""
    status: int = browsing.page.evaluate(
        """async ([path, form]) => (await fetch(path, {
            method: "POST", body: new URLSearchParams(form), redirect: "manual"
        })).status""",
        [path, form],
    )
    return status


@pytest.fixture
def proxied(browser: Browser, browser_site: Site) -> Iterator[Any]:
    """A page whose requests name another client through the trusted proxy."""
    contexts = []

    def page_from(address: str) -> Browsing:
        context = browser.new_context(extra_http_headers={"X-Forwarded-For": address})
        contexts.append(context)
        return Browsing(context.new_page(), browser_site.origin)

    yield page_from
    for context in contexts:
        context.close()


def test_an_admin_finds_a_user_by_phone_disables_them_and_sees_it_in_the_audit_trail(
    browsing: Browsing, browser_site: Site, mini_program_user: tuple[str, str]
) -> None:
    token, phone = mini_program_user
    signed_in(browsing)
    expect(browsing.page.get_by_role("heading", name="概览")).to_be_visible()
    shot(browsing, "overview")

    browsing.page.get_by_role("link", name="用户", exact=True).click()
    browsing.page.get_by_label("手机号(完整)").fill(phone)
    browsing.page.get_by_role("button", name="搜索").click()
    expect(browsing.page.locator("#users tbody tr")).to_have_count(1)
    expect(browsing.page.locator("#users tbody")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
    shot(browsing, "users")
    browsing.page.locator("#users tbody a").click()
    expect(browsing.page.locator("#status")).to_have_text("active")
    shot(browsing, "user")
    browsing.page.get_by_role("link", name="禁用").click()
    expect(browsing.page.get_by_role("heading", name="确认禁用")).to_be_visible()
    shot(browsing, "confirm")
    browsing.page.get_by_role("button", name="确认禁用").click()
    expect(browsing.page.get_by_role("status")).to_have_text("已禁用")
    expect(browsing.page.locator("#status")).to_have_text("disabled")

    assert api(browser_site, "/system/refresh-token", {}, token)[0] == 401
    browsing.page.get_by_role("link", name="审计记录", exact=True).click()
    row = browsing.page.locator("#audit tbody tr", has_text="users.disable")
    expect(row).to_contain_text(ADMIN)
    expect(row).to_contain_text("127.0.0.1")
    shot(browsing, "audit")
    browsing.page.get_by_role("button", name="退出").click()
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()
    browsing.open("/pb/console/audit")
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()


def test_an_admin_enables_ends_every_session_and_deletes_a_user(
    browsing: Browsing, browser_site: Site
) -> None:
    token, phone = signed_up(browser_site, "browser-second")
    signed_in(browsing)
    browsing.open(f"/pb/console/users?phone={phone}")
    browsing.page.locator("#users tbody a").click()

    confirm(browsing, "禁用")
    confirm(browsing, "启用")
    expect(browsing.page.get_by_role("status")).to_have_text("已启用")
    expect(browsing.page.locator("#status")).to_have_text("active")
    token, _ = signed_up(browser_site, "browser-second")
    assert api(browser_site, "/system/refresh-token", {}, token)[0] == 200
    confirm(browsing, "结束全部会话")
    expect(browsing.page.get_by_role("status")).to_have_text("已结束全部会话")
    assert api(browser_site, "/system/refresh-token", {}, token)[0] == 401
    expect(browsing.page.locator("#sessions tbody")).to_have_text("无")
    confirm(browsing, "删除")
    expect(browsing.page.get_by_role("status")).to_have_text("已删除")
    browsing.open(f"/pb/console/users?phone={phone}")
    expect(browsing.page.locator("#users tbody")).to_have_text("没有符合条件的用户")


def test_an_admin_links_one_conflict_and_dismisses_another(
    browsing: Browsing, browser_site_env: Mapping[str, str]
) -> None:
    linked, dismissed = conflicts_kept(browser_site_env["BAI_DATABASE_URL"])
    signed_in(browsing)
    browsing.page.get_by_role("link", name="身份冲突").click()
    expect(browsing.page.locator("#conflicts tbody tr")).to_have_count(2)
    shot(browsing, "conflicts")

    row = browsing.page.locator("#conflicts tbody tr", has_text=linked.pb_id)
    row.get_by_role("button", name="关联").click()
    expect(browsing.page.locator("#conflicts tbody tr")).to_have_count(1)
    row = browsing.page.locator("#conflicts tbody tr", has_text=dismissed.pb_id)
    row.get_by_role("button", name="忽略").click()
    expect(browsing.page.locator("#conflicts tbody")).to_have_text("没有待处理的冲突")
    browsing.open(f"/pb/console/users/{linked.other_pb_id}")
    expect(browsing.page.locator("#identities tbody")).to_contain_text("o-shop-0")
    browsing.page.get_by_role("link", name="审计记录", exact=True).click()
    expect(browsing.page.locator("#audit tbody")).to_contain_text("identities.link")
    expect(browsing.page.locator("#audit tbody")).to_contain_text("identities.dismiss")


def test_a_wrong_password_is_refused_on_the_page(proxied: Any) -> None:
    browsing = proxied("203.0.113.10")
    signed_in(browsing, password="not the password")

    expect(browsing.page.get_by_role("alert")).to_have_text("邮箱或密码不正确")
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()


def test_five_wrong_passwords_lock_the_email_even_with_the_right_one(proxied: Any) -> None:
    browsing = proxied("203.0.113.20")
    for _ in range(5):
        signed_in(browsing, LOCKED, "not the password")
    signed_in(browsing, LOCKED)

    expect(browsing.page.get_by_role("alert")).to_contain_text("15")
    expect(browsing.page.get_by_role("heading", name="运维登录")).to_be_visible()


def test_a_viewer_has_no_action_and_a_forged_one_is_403(
    proxied: Any, mini_program_user: tuple[str, str]
) -> None:
    browsing = proxied("203.0.113.30")
    signed_in(browsing, ADMIN)
    browsing.page.get_by_role("link", name="用户", exact=True).click()
    user_page = browsing.page.locator("#users tbody a").first.get_attribute("href")
    assert user_page is not None
    browsing.page.get_by_role("button", name="退出").click()

    signed_in(browsing, VIEWER)
    browsing.page.goto(f"{browsing.origin}{user_page}")
    expect(browsing.page.locator("#status")).to_be_visible()
    token = browsing.page.locator("input[name=csrf]").first.input_value()

    assert browsing.page.get_by_role("link", name="禁用").count() == 0
    assert browsing.page.get_by_role("link", name="删除").count() == 0
    assert posted(browsing, f"{user_page}/delete", {"csrf": token}) == 403
    browsing.page.reload()
    expect(browsing.page.locator("#status")).to_be_visible()  # still there


def test_a_post_without_the_forms_token_is_403(
    proxied: Any, mini_program_user: tuple[str, str]
) -> None:
    browsing = proxied("203.0.113.40")
    signed_in(browsing)
    browsing.page.get_by_role("link", name="用户", exact=True).click()
    user_page = browsing.page.locator("#users tbody a").first.get_attribute("href")

    assert posted(browsing, f"{user_page}/delete", {}) == 403
    assert posted(browsing, f"{user_page}/delete", {"csrf": "made-up"}) == 403
    browsing.page.goto(f"{browsing.origin}{user_page}")
    expect(browsing.page.locator("#status")).to_be_visible()


def test_an_address_not_allowed_gets_404(proxied: Any) -> None:
    browsing = proxied("198.51.100.7")
    answer = browsing.page.goto(f"{browsing.origin}/pb/console/sign-in")

    assert answer is not None
    assert answer.status == 404


def test_every_page_asks_nothing_of_another_host_and_fits_a_phone(
    proxied: Any, mini_program_user: tuple[str, str]
) -> None:
    browsing = proxied("203.0.113.50")
    browsing.as_phone()
    signed_in(browsing)
    expect(browsing.page.get_by_role("heading", name="概览")).to_be_visible()
    browsing.open("/pb/console/users")
    user_page = browsing.page.locator("#users tbody a").first.get_attribute("href")
    pages = ["/pb/console/", "/pb/console/users", user_page, "/pb/console/conflicts"]
    pages += ["/pb/console/events", "/pb/console/audit"]
    wide = []
    for path in pages:
        browsing.open(str(path))
        browsing.page.wait_for_load_state("networkidle")
        if browsing.scrolls_sideways():
            wide.append(path)
    shot(browsing, "phone-audit")

    assert wide == []
    assert any(url.endswith("/pb/console/static/console.css") for url in browsing.requested)
    assert browsing.elsewhere() == []
