"""The API docs: /schema renders Swagger UI from this server's own files, never a CDN."""

from __future__ import annotations

import re
from pathlib import Path

from quantflow_server.docs_ui import REPO_SWAGGER_DIST, SWAGGER_FILES, with_default_swagger_dir
from quantflow_server.settings import Settings

from .conftest import fake_swagger_dist

_URL_ATTR = re.compile(r"""(?:src|href)\s*=\s*['"]([^'"]+)['"]""")
_EXTERNAL = re.compile(r"""(?:https?:)?//[\w.-]+""")


def _docs_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"swagger_dir": fake_swagger_dist(tmp_path / "swagger")})


def test_the_swagger_page_loads_everything_from_this_server(settings, open_api, tmp_path: Path) -> None:
    with open_api(_docs_settings(settings, tmp_path)) as api:
        headers = api.add_user("alice")
        for path in ("/schema", "/schema/swagger"):
            page = api.client.get(path, headers=headers)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            assert "SwaggerUIBundle" in page.text and "/api/workflows" in page.text  # the spec, inline
            assert _EXTERNAL.findall(page.text) == [], "the page names another host"
            urls = _URL_ATTR.findall(page.text)
            assert sorted(urls) == sorted(f"/swagger-ui/{name}" for name in SWAGGER_FILES)
            for url in urls:  # public web assets: the browser fetches them with or without a cookie
                assert api.client.get(url).status_code == 200, url


def test_the_page_needs_a_token_but_its_files_do_not(settings, open_api, tmp_path: Path) -> None:
    with open_api(_docs_settings(settings, tmp_path)) as api:
        for path in ("/schema", "/schema/swagger", "/schema/openapi.json"):
            assert api.client.get(path).status_code == 401, path
        assert api.client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_without_the_files_the_page_says_how_to_get_them(api) -> None:
    headers = api.add_user("alice")
    page = api.client.get("/schema", headers=headers)
    assert page.status_code == 200 and "scripts/build-swagger.sh" in page.text
    assert _EXTERNAL.findall(page.text) == []
    assert api.client.get("/swagger-ui/swagger-ui.css").status_code == 404  # no such route


def test_an_unknown_schema_path_is_a_problem_not_an_html_page(api) -> None:
    headers = api.add_user("alice")
    for path in ("/schema/nope", "/schema/nope.json"):
        response = api.client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 404


def test_the_server_process_defaults_to_the_repository_build(tmp_path: Path) -> None:
    assert REPO_SWAGGER_DIST.parts[-3:] == ("quantflow-server", "swagger", "dist")
    explicit = Settings(data_dir=tmp_path, swagger_dir=tmp_path / "mine")
    assert with_default_swagger_dir(explicit).swagger_dir == tmp_path / "mine"
    built = all((REPO_SWAGGER_DIST / name).is_file() for name in SWAGGER_FILES)
    expected = REPO_SWAGGER_DIST if built else None
    assert with_default_swagger_dir(Settings(data_dir=tmp_path)).swagger_dir == expected
