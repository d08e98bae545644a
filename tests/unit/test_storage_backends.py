"""Each backend is one storage object, chosen once by the URL's scheme; the entrypoints ask the
object and never name a backend."""

import re
from pathlib import Path

import pytest

import bai.entrypoints
from bai.adapters.backends import BACKENDS, backend_of
from bai.adapters.storage import StorageOptions, StoreNotOffered
from bai.adapters.system.clock import SystemClock
from bai.entrypoints.config.settings import load_settings

URLS = {
    "memory": "memory://",
    "sqlite+aiosqlite": "sqlite+aiosqlite:///{tmp}/bai.db",
    "postgresql+asyncpg": "postgresql+asyncpg://bai:s3cret-pw@127.0.0.1:1/bai",
    "pocketbase": "pocketbase://a%40b.c:s3cret-pw@127.0.0.1:1",
    "pocketbase+https": "pocketbase+https://a%40b.c:s3cret-pw@pb.example.com",
}
# A comparison with a backend's name, or a branch on one (`storage == "memory"`, `in {...}`).
NAMED_BACKEND = re.compile(
    r"""(==|!=|\bin)\s*[{(\[]?\s*["'](memory|sqlite|postgresql|pocketbase)["']"""
)
ENTRYPOINTS = Path(bai.entrypoints.__file__).parent


def test_every_scheme_the_settings_accept_has_a_backend() -> None:
    assert set(BACKENDS) == set(URLS)


@pytest.mark.parametrize("scheme", sorted(URLS))
def test_a_storage_opens_nothing_when_made_and_never_shows_a_password(
    scheme: str, tmp_path: Path
) -> None:
    url = URLS[scheme].format(tmp=tmp_path / "not-made")
    settings = load_settings(
        {"BAI_DATABASE_URL": url, "BAI_DATA_DIR": str(tmp_path)}, signs_tokens=False
    )

    storage = backend_of(url)(StorageOptions(url=settings.database_url), clock=SystemClock())

    assert "s3cret-pw" not in storage.describe()
    assert not (tmp_path / "not-made").exists()


@pytest.mark.parametrize("scheme", ["memory", "pocketbase"])
def test_a_backend_without_an_account_store_refuses_the_import_loudly(scheme: str) -> None:
    url = URLS[scheme]
    storage = backend_of(url)(StorageOptions(url=url), clock=SystemClock())

    with pytest.raises(StoreNotOffered):
        storage.accounts()


def test_no_entrypoint_names_a_backend_to_choose_what_to_do() -> None:
    branches = [
        f"{path.relative_to(ENTRYPOINTS)}: {line.strip()}"
        for path in ENTRYPOINTS.rglob("*.py")
        # which validate the URL's scheme (and settings that hold of one backend), nothing else
        if path.name not in {"settings.py", "database_urls.py"}
        for line in path.read_text().splitlines()
        if NAMED_BACKEND.search(line)
    ]

    assert branches == []
