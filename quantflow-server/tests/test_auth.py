"""Login, tokens, revocation, lockout, roles, and the proof that every route needs a token."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.routes import HTTPRoute, WebSocketRoute

from quantflow_server.auth.principal import Role

from .conftest import fake_swagger_dist, ws_receive

PUBLIC = {("POST", "/api/auth/token"), ("POST", "/api/auth/refresh"), ("GET", "/api/health")}
PUBLIC_ASSETS = "/swagger-ui/{file_path:path}"  # the API docs' static files (web assets)


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: "1" if m.group(2) == "int" else "x", path)


@pytest.fixture
def api_with_docs(settings, open_api, tmp_path: Path) -> Iterator[Any]:
    """The app as served, Swagger UI files included, so their public route is walked too."""
    docs = settings.model_copy(update={"swagger_dir": fake_swagger_dist(tmp_path / "swagger")})
    with open_api(docs) as opened:
        yield opened


def _check_public_assets(api, path: str) -> None:
    """The one public non-API route serves the docs' files and nothing else."""
    assert api.client.get("/swagger-ui/swagger-ui.css").text == "/* swagger-ui.css */"
    for probe in ("/swagger-ui/../qf.sqlite", "/swagger-ui/%2e%2e/jwt_secret", "/swagger-ui/nope.js", path):
        response = api.client.get(probe)
        assert response.status_code == 404, f"{probe} answered {response.status_code}"
        assert response.headers["content-type"].startswith("application/problem+json")
    assert api.client.post("/swagger-ui/swagger-ui.css").status_code == 405


def test_every_route_requires_authentication_except_the_public_ones(api_with_docs) -> None:
    """Walks the app's own route table, so a route added later is covered automatically."""
    api = api_with_docs
    seen_public, checked = set(), 0
    for route in api.client.app.routes:
        path = _concrete(route.path)
        if route.path == PUBLIC_ASSETS:
            _check_public_assets(api, path)
            seen_public.add(("GET", route.path))
            continue
        if isinstance(route, WebSocketRoute):
            with pytest.raises(WebSocketDisconnect), api.client.websocket_connect(path) as ws:
                ws_receive(ws, f"the refusal of {path}")
            checked += 1
            continue
        assert isinstance(route, HTTPRoute)
        for method in sorted(route.methods):
            if route.path in {path for _, path in PUBLIC}:  # all of a public path's methods (OPTIONS too)
                seen_public.add((method, route.path))
                continue
            for handler in route.route_handlers:
                assert not handler.opt.get("exclude_from_auth"), f"{method} {route.path} skips auth"
            response = api.client.request(method, path, headers={"Authorization": "Bearer not-a-token"})
            assert response.status_code == 401, f"{method} {route.path} answered {response.status_code}"
            response = api.client.request(method, path)
            assert response.status_code == 401, f"{method} {route.path} answered {response.status_code}"
            checked += 1
    assert PUBLIC | {("GET", PUBLIC_ASSETS)} <= seen_public
    assert checked > 20


def test_the_openapi_schema_needs_a_token_too(api) -> None:
    assert api.client.get("/schema/openapi.json").status_code == 401
    headers = api.add_user("alice")
    spec = api.client.get("/schema/openapi.json", headers=headers).json()
    assert "/api/workflows" in spec["paths"]


def test_login_issues_tokens_and_an_httponly_cookie(api) -> None:
    api.add_user("alice")
    response = api.client.post("/api/auth/token", data={"username": "alice", "password": "a long test password"})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"] and body["refresh_token"]
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith("token=") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("refresh_token=") and "Path=/api/auth" in c and "HttpOnly" in c for c in cookies)
    # The browser path: the cookie alone authenticates.
    assert api.client.get("/api/me").json()["username"] == "alice"


def test_wrong_password_and_unknown_user_look_the_same(api) -> None:
    api.add_user("alice")
    wrong = api.client.post("/api/auth/token", data={"username": "alice", "password": "nope nope nope"})
    unknown = api.client.post("/api/auth/token", data={"username": "mallory", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["content-type"].startswith("application/problem+json")


def test_refresh_gives_new_tokens_and_is_not_an_access_token(api) -> None:
    api.add_user("alice")
    pair = api.client.post("/api/auth/token", data={"username": "alice", "password": "a long test password"}).json()
    api.client.cookies.clear()
    refresh = pair["refresh_token"]
    assert api.client.get("/api/me", headers={"Authorization": f"Bearer {refresh}"}).status_code == 401
    fresh = api.client.post("/api/auth/refresh", json={"refresh_token": refresh})
    assert fresh.status_code == 200
    assert api.client.get("/api/me", headers={"Authorization": f"Bearer {fresh.json()['access_token']}"}).is_success
    assert api.client.post("/api/auth/refresh", json={"refresh_token": pair["access_token"]}).status_code == 401
    assert api.client.post("/api/auth/refresh", json={"refresh_token": "garbage"}).status_code == 401


def test_logout_revokes_every_token(api) -> None:
    api.add_user("alice")
    pair = api.client.post("/api/auth/token", data={"username": "alice", "password": "a long test password"}).json()
    api.client.cookies.clear()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert api.client.post("/api/auth/logout", headers=headers).status_code == 200
    assert api.client.get("/api/me", headers=headers).status_code == 401
    assert api.client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def _change_user_elsewhere(api, username: str, **values: Any) -> None:
    """Change the user's row directly, as another server process or a CLI would."""
    import sqlalchemy as sa

    from quantflow_server.db.models import User

    async def change() -> None:
        async with api.client.app.state.db.session() as session:
            await session.execute(sa.update(User).where(User.username == username).values(**values))

    with api.client.portal() as portal:
        portal.call(change)


def test_password_change_revokes_tokens_at_once_despite_the_user_cache(api) -> None:
    api.add_user("alice")
    headers = api.login("alice")
    assert api.client.get("/api/me", headers=headers).is_success  # now cached
    change = {"current_password": "a long test password", "new_password": "another long password"}
    assert api.client.post("/api/auth/password", json=change, headers=headers).status_code == 200
    assert api.client.get("/api/me", headers=headers).status_code == 401
    assert api.client.get("/api/me", headers=api.login("alice", "another long password")).is_success


def test_a_change_made_by_another_process_is_seen_within_the_cache_bound(api, monkeypatch) -> None:
    """The cached token version, role and active flag are trusted for auth_cache_seconds at most."""
    api.add_user("alice")
    headers = api.login("alice")
    assert api.client.get("/api/me", headers=headers).is_success  # now cached
    _change_user_elsewhere(api, "alice", token_version=7)
    assert api.client.get("/api/me", headers=headers).is_success  # within the bound: still the cached copy
    users = api.client.app.state.tokens.users
    later = users.clock() + api.client.app.state.settings.auth_cache_seconds + 0.01
    monkeypatch.setattr(users, "clock", lambda: later)  # this cache's clock only, not the process's
    assert api.client.get("/api/me", headers=headers).status_code == 401


def test_deactivation_elsewhere_is_seen_at_once_without_the_cache(settings, open_api) -> None:
    with open_api(settings.model_copy(update={"auth_cache_seconds": 0})) as api:
        api.add_user("alice")
        headers = api.login("alice")
        assert api.client.get("/api/me", headers=headers).is_success
        _change_user_elsewhere(api, "alice", active=False)
        assert api.client.get("/api/me", headers=headers).status_code == 401


def test_a_read_in_flight_during_a_change_is_not_cached() -> None:
    """A logout committed while another request was reading the user: that older answer is not kept."""
    from types import SimpleNamespace

    from quantflow_server.auth.tokens import UserCache

    cache = UserCache(ttl=60)
    row = SimpleNamespace(id=1, username="alice", role="trader", active=True, token_version=0)

    class Session:
        async def __aenter__(self) -> Session:
            return self

        async def __aexit__(self, *_: object) -> None:
            pass

        async def get(self, _model: object, _id: int) -> Any:
            value = SimpleNamespace(**vars(row))
            cache.forget(1)  # the logout lands while this read is in flight
            row.token_version = 1
            return value

    assert asyncio.run(cache.lookup(Session, 1)).token_version == 0  # that request saw the old row
    assert asyncio.run(cache.lookup(Session, 1)).token_version == 1  # the next one reads again


def test_repeated_failures_lock_the_account_even_for_the_right_password(settings, open_api) -> None:
    with open_api(settings.model_copy(update={"login_max_failures": 3})) as api:
        api.add_user("alice")
        for _ in range(3):
            bad = api.client.post("/api/auth/token", data={"username": "alice", "password": "wrong password!"})
            assert bad.status_code == 401
        locked = api.client.post("/api/auth/token", data={"username": "alice", "password": "a long test password"})
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) > 0
    with open_api(settings) as api:  # the lock is in the database: a restart does not lift it
        assert (
            api.client.post(
                "/api/auth/token", data={"username": "alice", "password": "a long test password"}
            ).status_code
            == 429
        )


def test_success_resets_the_failure_count(settings, open_api) -> None:
    with open_api(settings.model_copy(update={"login_max_failures": 3})) as api:
        api.add_user("alice")
        for _ in range(2):
            api.client.post("/api/auth/token", data={"username": "alice", "password": "wrong password!"})
        api.login("alice")
        for _ in range(2):
            api.client.post("/api/auth/token", data={"username": "alice", "password": "wrong password!"})
        api.login("alice")


def test_one_address_is_throttled_across_account_names(settings, open_api) -> None:
    with open_api(settings.model_copy(update={"login_rate_per_minute": 5})) as api:
        codes = [
            api.client.post("/api/auth/token", data={"username": f"user{i}", "password": "whatever!!"}).status_code
            for i in range(8)
        ]
        assert codes[:5] == [401] * 5
        assert set(codes[5:]) == {429}


def test_roles_viewer_reads_trader_writes_admin_manages(api, hello) -> None:
    admin = api.add_user("root", Role.ADMIN)
    viewer = api.add_user("vera", Role.VIEWER)
    trader = api.add_user("tom", Role.TRADER)
    assert api.client.post("/api/workflows", json={"document": hello}, headers=viewer).status_code == 403
    assert api.client.get("/api/workflows", headers=viewer).status_code == 200
    assert api.client.post("/api/workflows", json={"document": hello}, headers=trader).status_code == 201
    assert api.client.get("/api/users", headers=trader).status_code == 403
    new = {"username": "newbie", "password": "another long password", "role": "viewer"}
    assert api.client.post("/api/users", json=new, headers=admin).status_code == 201
    assert api.client.post("/api/users", json=new, headers=admin).status_code == 409
    weak = {"username": "weak", "password": "short"}
    response = api.client.post("/api/users", json=weak, headers=admin)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "password"
    assert [u["username"] for u in api.client.get("/api/users", headers=admin).json()] == [
        "root",
        "vera",
        "tom",
        "newbie",
    ]


def test_password_change_revokes_old_tokens(api) -> None:
    headers = api.add_user("alice")
    change = {"current_password": "a long test password", "new_password": "a brand new long password"}
    assert api.client.post("/api/auth/password", json=change, headers=headers).status_code == 200
    assert api.client.get("/api/me", headers=headers).status_code == 401
    api.login("alice", "a brand new long password")
