"""The app factory, settings, storage and migrations."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from quantflow_server.db.database import Database
from quantflow_server.db.models import Base
from quantflow_server.settings import Settings


def test_health_is_public_and_names_the_database(api, backend) -> None:
    response = api.client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": backend.name}


def test_migrations_build_exactly_the_models_schema(api) -> None:
    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)

    async def check():
        async with api.client.app.state.db.engine.connect() as conn:
            return await conn.run_sync(diff)

    with api.client.portal() as portal:
        assert portal.call(check) == []


def test_settings_come_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("QUANTFLOW_ACCESS_TOKEN_MINUTES", "7")
    monkeypatch.delenv("QUANTFLOW_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.access_token_minutes == 7
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{(tmp_path / 'data' / 'quantflow.sqlite').resolve()}"
    monkeypatch.setenv("QUANTFLOW_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().resolved_database_url == "postgresql+psycopg://u@h/db"


def test_generated_jwt_secret_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d")
    first = settings.resolved_jwt_secret()
    assert len(first) >= 32
    assert stat.S_IMODE((tmp_path / "d" / "jwt_secret").stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path / "d").resolved_jwt_secret() == first


def test_a_short_configured_jwt_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 32"):
        Settings(data_dir=tmp_path, jwt_secret="short").resolved_jwt_secret()


def test_database_session_rolls_back_on_error(settings) -> None:
    asyncio.run(_rollback(settings))


async def _rollback(settings) -> None:
    from quantflow_server.auth.principal import Role
    from quantflow_server.auth.service import create_user

    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        with pytest.raises(RuntimeError):
            async with db.session() as session:
                await create_user(session, "ghost", "a long test password", Role.TRADER)
                raise RuntimeError("abort")
        async with db.session() as session:
            user = await create_user(session, "ghost", "a long test password", Role.TRADER)
        assert user.id is not None
    finally:
        await db.dispose()


def test_restart_keeps_users_and_workflows(settings, open_api, hello) -> None:
    with open_api(settings) as api:
        headers = api.add_user("alice")
        assert api.client.post("/api/workflows", json={"document": hello}, headers=headers).status_code == 201
    with open_api(settings) as api:  # migrations run again: a no-op
        headers = api.login("alice")
        assert [w["name"] for w in api.client.get("/api/workflows", headers=headers).json()] == ["Hello QuantFlow"]
