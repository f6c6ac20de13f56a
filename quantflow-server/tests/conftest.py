"""Every server test runs twice: on a fresh SQLite file and on a throwaway PostgreSQL database.

PostgreSQL (127.0.0.1:5432, trust auth, user postgres) gets one randomly named database per test
session, dropped at the end; each test starts from empty tables (truncated, schema kept).
"""

from __future__ import annotations

import json
import queue
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import psycopg
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from quantflow.builtin import plugin as core_plugin
from quantflow.nodes import Category, Scalar, node
from quantflow.plugins import PluginHost
from quantflow.testing.plugins import make_plugin

from quantflow_server.app import create_app
from quantflow_server.auth.principal import Role
from quantflow_server.auth.service import create_user
from quantflow_server.settings import Settings

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
REPO = Path(__file__).resolve().parents[2]
PASSWORD = "a long test password"
WS_TIMEOUT = 30.0  # seconds a test waits for one websocket message before it fails (never hangs)


@node("test:wait", category=Category.LOGIC, title="Waits")
async def wait_node(x: Scalar) -> Scalar:
    """Sleeps far longer than any test waits: only cancellation ends it."""
    await anyio.sleep(3600)
    return x


@node("test:fail", category=Category.LOGIC, title="Fails")
def fail_node(x: Scalar) -> Scalar:
    raise RuntimeError("failing on purpose")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2 at its production cost makes every test login slow on 2 cores; the logic is the same."""
    from argon2 import PasswordHasher

    from quantflow_server.auth import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production


@pytest.fixture(scope="session")
def host() -> PluginHost:
    h = PluginHost()
    h.add_plugin(core_plugin, "core", distribution="quantflow")
    h.add_plugin(make_plugin("servertest", [wait_node, fail_node]), "servertest")
    assert h.errors == []
    return h


@dataclass(frozen=True)
class Backend:
    name: str
    pg_dbname: str | None = None

    def url(self, tmp_path: Path) -> str:
        if self.pg_dbname is None:
            return f"sqlite+aiosqlite:///{tmp_path / 'qf.sqlite'}"
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.pg_dbname}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite")
        return
    name = f"qf_test_{secrets.token_hex(6)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Backend("postgresql", name)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_pg_tables(dbname: str) -> None:
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={dbname}", autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        if tables:
            conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    if backend.pg_dbname is not None:
        _empty_pg_tables(backend.pg_dbname)
    return Settings(
        data_dir=tmp_path, database_url=backend.url(tmp_path), jwt_secret="t" * 48, login_rate_per_minute=10_000
    )


def ws_receive(ws: Any, waiting_for: str, timeout: float = WS_TIMEOUT) -> Any:
    """The next JSON message, or a failure naming what was awaited: a hang in CI is worse than a failure."""
    try:
        return ws.receive_json(timeout=timeout)
    except queue.Empty:
        raise AssertionError(f"no websocket message within {timeout:g} s while waiting for {waiting_for}") from None


def fake_swagger_dist(directory: Path) -> Path:
    """Stand-ins for swagger-ui-dist's files (server tests need no npm)."""
    from quantflow_server.docs_ui import SWAGGER_FILES

    directory.mkdir(parents=True, exist_ok=True)
    for name in SWAGGER_FILES:
        (directory / name).write_text(f"/* {name} */")
    return directory


@pytest.fixture
def make_app(host: PluginHost) -> Callable[..., Litestar]:
    def make(settings: Settings, **kwargs: Any) -> Litestar:
        kwargs.setdefault("host", host)
        return create_app(settings, **kwargs)

    return make


class Api:
    """A TestClient plus helpers to create users and act as them."""

    def __init__(self, client: TestClient[Litestar]) -> None:
        self.client = client

    def add_user(self, username: str, role: Role = Role.TRADER, password: str = PASSWORD) -> dict[str, str]:
        async def add() -> None:
            async with self.client.app.state.db.session() as session:
                await create_user(session, username, password, role)

        with self.client.portal() as portal:
            portal.call(add)
        return self.login(username, password)

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        response = self.client.post("/api/auth/token", data={"username": username, "password": password})
        assert response.status_code == 200, response.text
        self.client.cookies.clear()  # tests authenticate explicitly, never by a leftover cookie
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def wait_run(self, run_id: str, headers: dict[str, str], timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.client.get(f"/api/runs/{run_id}", headers=headers).json()
            if run["status"] not in ("queued", "running"):
                return run  # type: ignore[no-any-return]
            time.sleep(0.02)
        raise AssertionError(f"run {run_id} did not finish: {run}")


@pytest.fixture
def open_api(make_app: Callable[..., Litestar]) -> Callable[..., AbstractContextManager[Api]]:
    """Start an app (lifespan included) for `settings`; a second call on the same settings is a restart."""

    @contextmanager
    def open_(settings: Settings, **kwargs: Any) -> Iterator[Api]:
        # The timeout bounds the websocket handshake, which would otherwise wait forever.
        with TestClient(make_app(settings, **kwargs), timeout=WS_TIMEOUT) as client:
            yield Api(client)

    return open_


@pytest.fixture
def api(settings: Settings, open_api: Callable[..., AbstractContextManager[Api]]) -> Iterator[Api]:
    with open_api(settings) as opened:
        yield opened


@pytest.fixture
def hello() -> dict[str, Any]:
    return json.loads((REPO / "examples" / "workflows" / "hello.json").read_text())


def slow_workflow() -> dict[str, Any]:
    """start → constant → test:wait: runs until cancelled."""
    return {
        "id": "slow",
        "name": "Slow",
        "nodes": [
            {"id": "start", "type": "core:manual_trigger"},
            {"id": "a", "type": "core:constant", "params": {"value": 1}},
            {"id": "w", "type": "test:wait"},
        ],
        "edges": [
            {"source": "start", "source_port": "out", "target": "a", "target_port": "trigger"},
            {"source": "a", "source_port": "out", "target": "w", "target_port": "x"},
        ],
    }


@pytest.fixture(scope="session")
def expression_client(
    host: PluginHost, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, dict[str, str]]]:
    """One SQLite-backed app for property tests that never touch the database beyond login."""
    path = tmp_path_factory.mktemp("expr")
    settings = Settings(data_dir=path, database_url=f"sqlite+aiosqlite:///{path / 'qf.sqlite'}", jwt_secret="e" * 48)
    with TestClient(create_app(settings, host=host), timeout=WS_TIMEOUT) as client:
        api = Api(client)
        yield client, api.add_user("prop")
