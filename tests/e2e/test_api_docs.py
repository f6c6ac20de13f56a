"""The API docs in a real browser: /schema renders Swagger UI's operations offline, every request
stays on this server, and the console stays clean (the session fixture fails on any error)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Route, expect


def test_swagger_ui_renders_the_operations_from_local_files(session) -> None:
    s, page = session, session.page
    local = urlsplit(s.server.url).netloc
    elsewhere: list[str] = []

    def offline(route: Route) -> None:  # as on a machine with no internet: other hosts never answer
        if urlsplit(route.request.url).netloc == local or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", offline)
    s.login()  # the page embeds the spec, so it needs the session cookie like the API
    page.goto(s.server.url + "/schema")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=30_000)
    assert operations.count() > 20
    expect(page.locator(".opblock-summary-path", has_text="/api/workflows").first).to_be_visible()
    s.shot("swagger-ui")
    page.locator(".opblock-summary", has_text="/api/health").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    s.shot("operation-open")
    assert elsewhere == [], f"the docs asked other hosts: {elsewhere}"
