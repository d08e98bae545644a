"""`BAI_DATABASE_URL=pocketbase://...`: where BAI finds the PocketBase and who it signs in as,
and what the settings refuse beside it."""

from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bai.adapters.pocketbase.client import target_of
from bai.entrypoints.config.settings import SettingsError, load_settings

URL = "pocketbase://bai%40example.com:pw@127.0.0.1:8090"


@given(email=st.emails(), password=st.text(min_size=1, max_size=40))
def test_any_superuser_email_and_password_survive_url_encoding(email: str, password: str) -> None:
    url = f"pocketbase://{quote(email, safe='')}:{quote(password, safe='')}@pb.internal:8090"

    target = target_of(url)

    assert (target.email, target.password) == (email, password)
    assert target.base_url == "http://pb.internal:8090"


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("pocketbase+https://a%40b.c:pw@pb.example.com", "https://pb.example.com"),
        ("pocketbase://a%40b.c:pw@[::1]:8090", "http://[::1]:8090"),
    ],
)
def test_tls_and_ipv6_hosts(url: str, base: str) -> None:
    assert target_of(url).base_url == base


@pytest.mark.parametrize("url", ["pocketbase://", "postgresql://u:p@h/db", "pocketbase:///x"])
def test_a_url_without_a_pocketbase_host_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="pocketbase://"):
        target_of(url)


def test_beside_pocketbase_the_token_secret_is_pocketbase_s(tmp_path: Path) -> None:
    env = {"BAI_DATABASE_URL": URL, "BAI_DATA_DIR": str(tmp_path)}

    settings = load_settings(env)

    assert settings.storage == "pocketbase"
    assert settings.token_secret == ""  # read from PocketBase when the container is made
    assert not (tmp_path / "token_secret").exists()
    with pytest.raises(SettingsError, match="PocketBase's own"):
        load_settings(env | {"BAI_TOKEN_SECRET": "x" * 40})


def test_production_beside_pocketbase_needs_no_token_secret_of_its_own(tmp_path: Path) -> None:
    env = {
        "BAI_ENV": "production",
        "BAI_DATABASE_URL": URL,
        "BAI_WECHAT_APPID": "wx1",
        "BAI_WECHAT_SECRET": "s",
        "BAI_DATA_DIR": str(tmp_path),
    }

    assert load_settings(env).is_production


def test_a_pocketbase_url_without_a_host_stops_the_start_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="BAI_DATABASE_URL: expected pocketbase://"):
        load_settings({"BAI_DATABASE_URL": "pocketbase://"})
