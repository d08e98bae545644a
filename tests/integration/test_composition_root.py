"""The composition root builds, the handlers receive: use cases are resolved once, when the app
is made, so a provider changed afterwards reaches no handler (tests override before)."""

from pathlib import Path

from dependency_injector import providers
from litestar.testing import TestClient

from bai.domain.errors import StorageUnavailable
from bai.entrypoints.http.app import create_app
from tests.support.apps import container_with


class BrokenCount:
    async def execute(self) -> int:
        raise StorageUnavailable


def test_a_provider_overridden_after_the_app_is_made_reaches_no_handler(tmp_path: Path) -> None:
    container = container_with(tmp_path, {"BAI_DATABASE_URL": "memory://"})
    app = create_app(container)
    container.use_cases.count_users.override(providers.Object(BrokenCount()))

    with TestClient(app) as client:
        response = client.post("/pb/api/system/users-count")

    assert response.status_code == 200
    assert response.json()["data"] == {"total_users": 0}
