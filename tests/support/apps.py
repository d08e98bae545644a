"""The one way the tests build BAI: the container the server would build for an environment,
with WeChat (and the clock) replaced by fakes where a test says so (a fake WeChat serves
`TEST_APPS`)."""

from collections.abc import Mapping
from pathlib import Path

from dependency_injector import providers

from bai.entrypoints.config.settings import load_settings
from bai.entrypoints.container import Container
from bai.entrypoints.wiring import container_for
from bai.ports.clock import Clock
from bai.ports.wechat_gateway import WeChatGateway
from tests.support.fakes import TEST_APPS

SECRET = "integration-test-collection-secret-0123"


def container_with(
    data_dir: Path,
    env: Mapping[str, str] | None = None,
    *,
    wechat: WeChatGateway | None = None,
    clock: Clock | None = None,
) -> Container:
    """`env` (`BAI_*` variables) over a test's defaults: a token secret (none beside
    PocketBase, whose own it is) and `data_dir` for development state."""
    settings = {"BAI_TOKEN_SECRET": SECRET, "BAI_DATA_DIR": str(data_dir), **(env or {})}
    if settings.get("BAI_DATABASE_URL", "").startswith("pocketbase"):
        del settings["BAI_TOKEN_SECRET"]
    wechat_named = {"BAI_WECHAT_APPID", "BAI_WECHAT_APPS_FILE"} & set(settings)
    if wechat is not None and not wechat_named:  # the fake serves the test apps
        settings["BAI_WECHAT_APPS_FILE"] = str(_test_apps_file(data_dir))
    container = container_for(load_settings(settings))
    if wechat is not None:
        container.adapters.wechat_backend.override(providers.Object(wechat))
    if clock is not None:
        container.adapters.clock.override(providers.Object(clock))
    return container


def _test_apps_file(folder: Path) -> Path:
    """`TEST_APPS` as an apps file (no secrets: the fake stands in for WeChat)."""
    path = folder / "test-apps.toml"
    tables = [f'[[app]]\nappid = "{TEST_APPS.primary}"\nprimary = true\n']
    tables += [f'[[app]]\nappid = "{appid}"\n' for appid in TEST_APPS.others]
    path.write_text("\n".join(tables))
    return path
