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
    container = container_for(load_settings(settings))
    if wechat is not None:  # a fake of the port serves the test apps
        container.adapters.wechat_backend.override(providers.Object(wechat))
        container.adapters.apps.override(TEST_APPS)
    if clock is not None:
        container.adapters.clock.override(providers.Object(clock))
    return container
