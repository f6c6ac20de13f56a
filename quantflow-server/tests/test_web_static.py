"""The server serves the built canvas: files, `/`, and deep links (SPA fallback), never over the API."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient

from quantflow_server.app import create_app
from quantflow_server.settings import Settings
from quantflow_server.web import REPO_WEB_DIST, web_dir, with_default_web_dir


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>QuantFlow</title>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    return dist


def test_the_built_canvas_and_its_deep_links_are_served(host, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'qf.sqlite'}", web_dir=_dist(tmp_path)
    )
    with TestClient(create_app(settings, host=host)) as client:
        assert "QuantFlow" in client.get("/").text
        assert client.get("/assets/app.js").text == "console.log(1)"
        deep = client.get("/workflows/abc123")
        assert deep.status_code == 200 and "QuantFlow" in deep.text
        assert client.get("/assets/missing.js").status_code == 404
        api_404 = client.get("/api/nope")
        assert api_404.status_code == 404
        assert api_404.headers["content-type"].startswith("application/problem+json")
        assert client.get("/api/me").status_code == 401  # the static router opens no API route
        assert client.post("/workflows/abc123").status_code in (404, 405)


def test_without_a_build_there_is_no_web_route(host, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'qf.sqlite'}",
        web_dir=tmp_path / "nowhere",
    )
    assert web_dir(settings) is None
    with TestClient(create_app(settings, host=host)) as client:
        assert client.get("/workflows/abc").status_code == 404


def test_the_server_process_defaults_to_the_repository_build(tmp_path: Path) -> None:
    assert REPO_WEB_DIST.parts[-2:] == ("quantflow-web", "dist")
    explicit = Settings(data_dir=tmp_path, web_dir=tmp_path / "mine")
    assert with_default_web_dir(explicit).web_dir == tmp_path / "mine"
    default = with_default_web_dir(Settings(data_dir=tmp_path))
    expected = REPO_WEB_DIST if (REPO_WEB_DIST / "index.html").is_file() else None
    assert default.web_dir == expected
