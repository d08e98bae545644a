import ipaddress
from pathlib import Path

import pytest

from bai.entrypoints.config.settings import SettingsError, load_settings
from bai.entrypoints.http.limits import Limit
from bai.entrypoints.http.route_table import ROUTES

SECRET = "s" * 32


def test_defaults_serve_locally_on_8090(tmp_path: Path) -> None:
    settings = load_settings({"BAI_DATA_DIR": str(tmp_path)})

    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8090, 1)
    assert settings.storage == "sqlite"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/bai.db"
    assert settings.uses_sandbox_wechat
    assert settings.token_ttl == 604800
    assert settings.collection_id == "pbc_421601843"
    assert settings.rate_limit


def test_default_database_is_sqlite_in_the_data_directory() -> None:
    settings = load_settings({"BAI_TOKEN_SECRET": SECRET})

    assert settings.database_url == "sqlite+aiosqlite:///bai_data/bai.db"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_plain_postgresql_urls_get_the_asyncpg_driver(scheme: str) -> None:
    settings = load_settings(
        {"BAI_TOKEN_SECRET": SECRET, "BAI_DATABASE_URL": f"{scheme}://u@h:5432/db"}
    )

    assert settings.database_url == "postgresql+asyncpg://u@h:5432/db"
    assert settings.storage == "postgresql"


def test_development_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"BAI_DATA_DIR": str(tmp_path)}).token_secret
    second = load_settings({"BAI_DATA_DIR": str(tmp_path)}).token_secret

    assert first == second
    assert len(first.encode()) >= 32
    assert (tmp_path / "token_secret").stat().st_mode & 0o077 == 0


def test_given_secret_wins(tmp_path: Path) -> None:
    settings = load_settings({"BAI_DATA_DIR": str(tmp_path), "BAI_TOKEN_SECRET": SECRET})

    assert settings.token_secret == SECRET
    assert not (tmp_path / "token_secret").exists()


def test_trusted_proxies_are_parsed(tmp_path: Path) -> None:
    settings = load_settings(
        {"BAI_DATA_DIR": str(tmp_path), "BAI_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1,::1"}
    )

    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({"BAI_ENV": "production"}, "BAI_WECHAT_APPID"),
        (
            {"BAI_ENV": "production", "BAI_WECHAT_APPID": "wx1", "BAI_WECHAT_SECRET": "x"},
            "BAI_TOKEN_SECRET",
        ),
        ({"BAI_TOKEN_SECRET": "short"}, "32 bytes"),
        ({"BAI_PORT": "http"}, "BAI_PORT"),
        ({"BAI_PORT": "70000"}, "BAI_PORT"),
        ({"BAI_WORKERS": "0"}, "BAI_WORKERS"),
        ({"BAI_TOKEN_TTL": "-5"}, "BAI_TOKEN_TTL"),
        ({"BAI_RATE_LIMIT": "maybe"}, "BAI_RATE_LIMIT"),
        ({"BAI_DOCS": "yes"}, "BAI_DOCS must be on or off"),
        ({"BAI_ENV": "prod"}, "BAI_ENV must be development or production"),
        ({"BAI_LOG_LEVEL": "verbose"}, "BAI_LOG_LEVEL must be debug or info"),
        ({"BAI_TRUSTED_PROXIES": "10.0.0.0/33"}, "BAI_TRUSTED_PROXIES"),
        ({"BAI_DATABASE_URL": "mysql://x"}, "BAI_DATABASE_URL"),
        ({"BAI_WECHAT_APPID": "wx1"}, "BAI_WECHAT_SECRET"),
        ({"BAI_DATABASE_URL": "memory://", "BAI_WORKERS": "2"}, "BAI_WORKERS"),
        ({"BAI_DATABASE_URL": "sqlite:///x.db"}, "BAI_DATABASE_URL"),
        ({"BAI_HTTP_IDLE_TIMEOUT": "soon"}, "BAI_HTTP_IDLE_TIMEOUT"),
        ({"BAI_HTTP_BODY_TIMEOUT": "0.5"}, "BAI_HTTP_BODY_TIMEOUT"),
        ({"BAI_WECHAT_CONNECT_TIMEOUT": "9", "BAI_WECHAT_TIMEOUT": "3"}, "CONNECT_TIMEOUT"),
        ({"BAI_WECHAT_TIMEOUT": "0"}, "BAI_WECHAT_CONNECT_TIMEOUT"),
    ],
)
def test_bad_configuration_is_refused_with_the_variable_named(
    tmp_path: Path, env: dict[str, str], complaint: str
) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings({"BAI_DATA_DIR": str(tmp_path), **env})


def test_production_starts_with_real_wechat_credentials(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "BAI_ENV": "production",
            "BAI_WECHAT_APPID": "wx0123456789",
            "BAI_WECHAT_SECRET": "app-secret",
            "BAI_TOKEN_SECRET": SECRET,
            "BAI_DATA_DIR": str(tmp_path),
            "BAI_WECHAT_API_BASE": "http://wechat.internal:8080/",
        }
    )

    assert settings.is_production
    assert not settings.uses_sandbox_wechat
    assert settings.wechat_api_base == "http://wechat.internal:8080"
    assert (settings.wechat_connect_timeout, settings.wechat_timeout) == (2.0, 5.0)


def test_rate_limits_default_to_the_route_table_s() -> None:
    """The table's defaults are the documented ones: `test_route_table.py` holds README to it."""
    limits = load_settings({"BAI_TOKEN_SECRET": SECRET}).rate_limits

    assert limits == {route.name: route.limit for route in ROUTES}
    assert limits["health-live"] is None


def test_operators_change_some_rate_limits_and_keep_the_rest() -> None:
    raw = " login = 10/1 , users-count=OFF,health=1000/3600"
    limits = load_settings({"BAI_TOKEN_SECRET": SECRET, "BAI_RATE_LIMITS": raw}).rate_limits

    assert limits["login"] == Limit(10, 1)
    assert limits["users-count"] is None
    assert limits["health"] == Limit(1000, 3600)
    assert limits["profile"] == Limit(120, 60)


@pytest.mark.parametrize(
    "raw",
    [
        "nowhere=1/1",
        "login",
        "login=",
        "login=10",
        "login=0/60",
        "login=10/0",
        "login=-1/5",
        "login=1.5/60",
        "login=10/60/2",
    ],
)
def test_malformed_rate_limits_refuse_to_start(raw: str) -> None:
    with pytest.raises(SettingsError, match="BAI_RATE_LIMITS"):
        load_settings({"BAI_TOKEN_SECRET": SECRET, "BAI_RATE_LIMITS": raw})


def test_trusted_proxies_written_as_ipv4_mapped_networks_are_the_ipv4_networks() -> None:
    settings = load_settings(
        {"BAI_TOKEN_SECRET": SECRET, "BAI_TRUSTED_PROXIES": "::ffff:10.0.0.0/104, 2001:db8::/32"}
    )

    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("2001:db8::/32"),
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"BAI_RATE_LIMITS": "login=²/60"}, "BAI_RATE_LIMITS"),
        ({"BAI_PORT": "٨٠٩٠"}, "BAI_PORT"),
        ({"BAI_WECHAT_TIMEOUT": "60"}, "BAI_WECHAT_TIMEOUT"),
        (
            {
                "BAI_DATABASE_URL": "postgresql://u@h/db",
                "BAI_MIGRATION_DATABASE_URL": "sqlite+aiosqlite:///x.db",
            },
            "BAI_MIGRATION_DATABASE_URL",
        ),
        ({"BAI_DATABASE_POOL_MODE": "statement"}, "BAI_DATABASE_POOL_MODE"),
        ({"BAI_DATABASE_POOL_MODE": "transaction"}, "BAI_DATABASE_POOL_MODE"),
    ],
)
def test_settings_that_cannot_work_are_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({"BAI_TOKEN_SECRET": SECRET, **env})


def test_migrations_may_take_a_direct_connection_of_the_same_database_kind() -> None:
    settings = load_settings(
        {
            "BAI_TOKEN_SECRET": SECRET,
            "BAI_DATABASE_URL": "postgresql://u@pgbouncer:6432/db",
            "BAI_MIGRATION_DATABASE_URL": "postgresql://u@db:5432/db",
            "BAI_DATABASE_POOL_MODE": "transaction",
        }
    )

    assert settings.migration_database_url == "postgresql+asyncpg://u@db:5432/db"
    assert settings.database_pool_mode == "transaction"


def test_the_token_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("f" * 40 + "\n")

    settings = load_settings({"BAI_TOKEN_SECRET_FILE": str(secret_file)})

    assert settings.token_secret == "f" * 40


@pytest.mark.parametrize(
    ("content", "also_set", "named"),
    [
        (None, False, "cannot read"),
        ("", False, "is empty"),
        ("short", False, "at least 32 bytes"),
        ("f" * 40, True, "not both"),
    ],
)
def test_a_secret_file_that_cannot_serve_is_refused(
    tmp_path: Path, content: str | None, also_set: bool, named: str
) -> None:
    secret_file = tmp_path / "secret"
    if content is not None:
        secret_file.write_text(content)
    env = {"BAI_TOKEN_SECRET_FILE": str(secret_file)}
    if also_set:
        env["BAI_TOKEN_SECRET"] = SECRET

    with pytest.raises(SettingsError, match=named):
        load_settings(env)
