"""The interactive docs page, `/pb/api/docs`, served whole by BAI: Swagger UI's script, style
sheet, standalone preset and icon come from a Python package, not from a CDN, so the page works
on a machine that cannot reach the internet. `BAI_DOCS=off` serves neither the page, nor its
assets, nor `/pb/api/openapi.json`.

The package is `swagger-ui-py`, for the Swagger UI 5 in its `static/` folder: the document is
OpenAPI 3.1, which Swagger UI 4 (`swagger-ui-bundle` 1.1.0's) refuses to render."""

from importlib.resources import files
from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.file_system import BaseLocalFileSystem
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.types import FileInfo, PathType

DOCS_PATH = "/pb/api/docs"
DOCUMENT_PATH = "/pb/api/openapi.json"
ASSETS_PATH = f"{DOCS_PATH}/assets"
SCRIPT, STYLE, PRESET, ICON = (
    "swagger-ui-bundle.js",
    "swagger-ui.css",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
)
ASSETS = frozenset({SCRIPT, STYLE, PRESET, ICON})
SWAGGER_UI = Path(str(files("swagger_ui") / "static"))


class _OnlyTheAssets(BaseLocalFileSystem):
    """The package's folder as Litestar's static files see it: the few files the page loads and
    nothing else (no index, source maps or templates), each as if the rest were not there."""

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        if Path(path).parent != SWAGGER_UI or Path(path).name not in ASSETS:
            raise FileNotFoundError(path)
        return await super().info(path, **kwargs)


def _asset(name: str) -> str:
    return f"{ASSETS_PATH}/{name}"


def _only_the_page(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Litestar puts more under the page's path than the page: a copy of the document at
    `openapi.json` and an HTML 404 page for any other name. They answer the 404 envelope, as
    any path BAI does not serve does."""
    if connection.scope.get("path_template") != DOCS_PATH:
        raise NotFoundException


def openapi_config() -> OpenAPIConfig:
    """The document at `/pb/api/openapi.json` and the page at `/pb/api/docs`, whose every
    URL points back at BAI (Litestar's defaults point at cdn.jsdelivr.net); nothing else
    under `/pb/api/docs` but the page's assets."""
    return OpenAPIConfig(
        title="BAI PocketBase WeChat API",
        version="1.0.0-wx",
        path=DOCS_PATH,
        openapi_router=Router(
            path=DOCS_PATH, route_handlers=[], include_in_schema=False, guards=[_only_the_page]
        ),
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=_asset(SCRIPT),
                css_url=_asset(STYLE),
                standalone_preset_js_url=_asset(PRESET),
                favicon=f"<link rel='icon' type='image/png' href='{_asset(ICON)}'>",
            )
        ],
        components=Components(
            security_schemes={
                "bearerAuth": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
            }
        ),
    )


@get(DOCUMENT_PATH, include_in_schema=False)
async def openapi_document(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return request.app.openapi_schema.to_schema()


def docs_router() -> Router:
    """BAI's own routes of the docs: the document at `/pb/api/openapi.json`, and Swagger UI's
    files at `/pb/api/docs/assets/<name>` (any other name is a 404). The page itself is
    Litestar's, from `openapi_config()`."""
    assets = create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI],
        file_system=_OnlyTheAssets(),
        name="docs-assets",
    )
    return Router(path="/", route_handlers=[openapi_document, assets])
