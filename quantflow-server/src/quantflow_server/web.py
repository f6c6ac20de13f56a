"""Serving the built canvas (quantflow-web/dist) from the server: same origin, nothing from a CDN.

The static router answers files and `/` (index.html); any other GET that finds no route and looks
like a page (outside /api, /ws, /schema and /swagger-ui, no file extension) gets index.html too,
so deep links such as /workflows/abc work after a reload. Everything else keeps its problem-details 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response
from litestar.exceptions import NotFoundException
from litestar.response import File
from litestar.static_files import create_static_files_router

from quantflow_server.errors import http_exception_handler
from quantflow_server.settings import Settings

# quantflow-server/src/quantflow_server/web.py -> the repository root, where quantflow-web lives.
REPO_WEB_DIST = Path(__file__).resolve().parents[3] / "quantflow-web" / "dist"
_NOT_PAGES = ("/api", "/ws", "/schema", "/swagger-ui")


def with_default_web_dir(settings: Settings) -> Settings:
    """The settings the server process runs with: QUANTFLOW_WEB_DIR if set, else the repository's
    build when there is one. (`create_app` alone serves only an explicit web_dir, as tests expect.)"""
    if settings.web_dir is None and (REPO_WEB_DIST / "index.html").is_file():
        return settings.model_copy(update={"web_dir": REPO_WEB_DIST})
    return settings


def web_dir(settings: Settings) -> Path | None:
    """The web build to serve, or None without one."""
    directory = settings.web_dir
    return directory if directory is not None and (directory / "index.html").is_file() else None


def web_routes(settings: Settings) -> list[Any]:
    directory = web_dir(settings)
    if directory is None:
        return []
    return [
        create_static_files_router(
            path="/",
            directories=[directory],
            html_mode=True,
            opt={"exclude_from_auth": True},
            include_in_schema=False,
        )
    ]


def web_exception_handlers(settings: Settings) -> dict[Any, Any]:
    """An app-level 404 handler that serves index.html for page deep links (stack-notes §3)."""
    directory = web_dir(settings)
    if directory is None:
        return {}
    index = directory / "index.html"

    def spa_fallback(request: Request[Any, Any, Any], exc: NotFoundException) -> Response[Any]:
        path = request.url.path
        is_page = (
            request.method == "GET"
            and not any(path == p or path.startswith(p + "/") for p in _NOT_PAGES)
            and "." not in path.rsplit("/", 1)[-1]
        )
        if is_page:
            return File(index, content_disposition_type="inline", media_type="text/html")  # type: ignore[return-value]
        return http_exception_handler(request, exc)

    return {NotFoundException: spa_fallback}
