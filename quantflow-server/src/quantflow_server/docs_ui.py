"""The OpenAPI docs: the spec and a Swagger UI whose files the server serves itself.

Litestar's UIs load their JavaScript, CSS and favicon from a CDN by default, which leaves a blank
page offline (stack-notes §3). Here every URL in the page is on this server: the files come from
swagger-ui-dist, pinned in quantflow-server/swagger and copied by scripts/build-swagger.sh.

The page embeds the whole spec, so /schema stays behind authentication like every API route (a
browser signed in to the canvas carries the cookie). Only the UI's static files are public: they
are web assets, the same for everyone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_404_NOT_FOUND

from quantflow_server.errors import problem
from quantflow_server.settings import Settings

# quantflow-server/src/quantflow_server/docs_ui.py -> quantflow-server/swagger/dist
REPO_SWAGGER_DIST = Path(__file__).resolve().parents[2] / "swagger" / "dist"
ASSETS_PATH = "/swagger-ui"
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js", "favicon-32x32.png")


def with_default_swagger_dir(settings: Settings) -> Settings:
    """QUANTFLOW_SWAGGER_DIR if set, else the repository's build when there is one."""
    if settings.swagger_dir is None and swagger_dir_ok(REPO_SWAGGER_DIST):
        return settings.model_copy(update={"swagger_dir": REPO_SWAGGER_DIST})
    return settings


def swagger_dir_ok(directory: Path | None) -> bool:
    return directory is not None and all((directory / name).is_file() for name in SWAGGER_FILES)


class LocalSwaggerUI(SwaggerRenderPlugin):
    """Swagger UI from this server's files; without them, a page saying how to get them (never a CDN)."""

    def __init__(self, available: bool) -> None:
        super().__init__(
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
            path="/swagger",
        )
        self.available = available

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if self.available:
            return super().render(request, openapi_schema)
        return (
            b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>QuantFlow API</title>"
            b"<link rel='icon' href='data:,'></head><body><p>Swagger UI is not installed on this server: "
            b"run scripts/build-swagger.sh (or set QUANTFLOW_SWAGGER_DIR). "
            b"The spec is at <a href='/schema/openapi.json'>/schema/openapi.json</a>.</p></body></html>"
        )


def _problem_for_html_404(response: Response[Any]) -> Response[Any]:
    """Litestar answers unknown /schema/* paths with an HTML page; ours are problem details."""
    if response.status_code == HTTP_404_NOT_FOUND:
        return problem(HTTP_404_NOT_FOUND, "Not Found", "no such schema document")
    return response


def openapi_config(settings: Settings) -> OpenAPIConfig:
    router = Router("/schema", route_handlers=[], include_in_schema=False, after_request=_problem_for_html_404)
    return OpenAPIConfig(
        title="QuantFlow",
        version="0.1.0",
        path="/schema",
        render_plugins=[LocalSwaggerUI(swagger_dir_ok(settings.swagger_dir))],
        openapi_router=router,
    )


def swagger_routes(settings: Settings) -> list[Any]:
    """The UI's files, public (web assets); nothing without a build."""
    if not swagger_dir_ok(settings.swagger_dir):
        return []
    return [
        create_static_files_router(
            path=ASSETS_PATH,
            directories=[settings.swagger_dir],
            opt={"exclude_from_auth": True},
            include_in_schema=False,
            name="swagger-ui",
        )
    ]
