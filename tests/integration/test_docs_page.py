"""The docs page is whole without the internet: every file it loads is BAI's own, served with
its type, and `BAI_DOCS=off` takes the page, its files and the OpenAPI document away. (That the
page then renders in a browser: `test_docs_in_browser.py`.)"""

import re

import pytest

from bai.entrypoints.http.docs import ASSETS_PATH
from tests.integration.conftest import Api

URL = re.compile(r"(?:https?:)?//[^\s\"'<>()]+")
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@pytest.fixture
def docs() -> str:
    return "on"


@pytest.fixture
def database_env(docs: str) -> dict[str, str]:
    """The docs do not depend on the store: memory:// only, with `BAI_DOCS` as a test says."""
    return {"BAI_DATABASE_URL": "memory://", "BAI_DOCS": docs}


def test_the_page_names_no_host_but_its_own(api: Api) -> None:
    page = api.client.get("/pb/api/docs")
    origin = str(page.url).removesuffix(page.url.raw_path.decode())

    assert page.status_code == 200
    assert [url for url in URL.findall(page.text) if not url.startswith(origin)] == []
    assert re.findall(r"""(?:src|href)=["'](/pb/api/docs/assets/[^"']+)""", page.text) != []


@pytest.mark.parametrize(("name", "media_type"), ASSET_TYPES.items())
def test_every_file_the_page_loads_is_served_with_its_type(
    api: Api, name: str, media_type: str
) -> None:
    page = api.client.get("/pb/api/docs").text
    response = api.client.get(f"{ASSETS_PATH}/{name}")

    assert f"{ASSETS_PATH}/{name}" in page
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert len(response.content) > 500


@pytest.mark.parametrize(
    "path",
    [
        f"{ASSETS_PATH}/swagger-initializer.js",
        f"{ASSETS_PATH}/oauth2-redirect.html",
        f"{ASSETS_PATH}/swagger-ui-bundle.js.map",
        f"{ASSETS_PATH}/LICENSE",
        f"{ASSETS_PATH}/",
        ASSETS_PATH,
        f"{ASSETS_PATH}/%2e%2e/utils.py",
    ],
)
def test_nothing_else_of_the_package_is_served(api: Api, path: str) -> None:
    response = api.client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/pb/api/docs/openapi.json",
        "/pb/api/docs/openapi.yaml",
        "/pb/api/docs/anything",
        "/pb/api/docs/index.html",
        "/pb/api/docs/swagger",
        "/pb/api/docs/assets.css",
    ],
)
def test_any_other_name_under_the_page_is_the_404_envelope(api: Api, path: str) -> None:
    response = api.client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"code": 404, "msg": "请求的接口不存在", "data": {}}


@pytest.mark.parametrize("docs", ["off"])
@pytest.mark.parametrize(
    "path",
    [
        "/pb/api/docs",
        f"{ASSETS_PATH}/swagger-ui.css",
        "/pb/api/openapi.json",
        "/pb/api/docs/openapi.json",
    ],
)
def test_docs_off_answers_the_404_envelope_for_page_files_and_document(api: Api, path: str) -> None:
    response = api.client.get(path)

    assert response.status_code == 404
    assert response.json() == {"code": 404, "msg": "请求的接口不存在", "data": {}}
