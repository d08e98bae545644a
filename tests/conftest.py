import pytest

from tests.support.browser import browser, browser_site, browser_site_env, browsing
from tests.support.cli import cli
from tests.support.data_dirs import import_pocketbase
from tests.support.databases import (
    database_env,
    database_url,
    pgbouncer_database,
    pgbouncer_url,
    pocketbase_server,
    pocketbase_url,
    postgres_database,
    postgresql_url,
    redis_url,
    sqlite_template,
    sqlite_url,
    target_url,
)
from tests.support.fakes import FakeWeChatGateway, FixedClock

__all__ = [
    "browser",
    "browser_site",
    "browser_site_env",
    "browsing",
    "cli",
    "database_env",
    "database_url",
    "import_pocketbase",
    "pgbouncer_database",
    "pgbouncer_url",
    "pocketbase_server",
    "pocketbase_url",
    "postgres_database",
    "postgresql_url",
    "redis_url",
    "sqlite_template",
    "sqlite_url",
    "target_url",
]


@pytest.fixture
def wechat() -> FakeWeChatGateway:
    return FakeWeChatGateway()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
