"""What the `quantflow users` and `quantflow serve` commands do, kept here so the core CLI only
imports this package when such a command actually runs."""

from __future__ import annotations

import asyncio

from quantflow_server.auth.principal import Role
from quantflow_server.auth.service import create_user
from quantflow_server.db.database import Database
from quantflow_server.settings import Settings


async def _create_user(settings: Settings, username: str, password: str, role: Role) -> int:
    settings.ensure_data_dir()
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        async with db.session() as session:
            user = await create_user(session, username, password, role)
            return user.id
    finally:
        await db.dispose()


def create_user_sync(username: str, password: str, role: Role, settings: Settings | None = None) -> int:
    """Create a user (migrating the database first); raises UserError with a readable reason."""
    return asyncio.run(_create_user(settings or Settings(), username, password, role))


def serve(host: str | None = None, port: int | None = None, reload: bool = False) -> None:
    import uvicorn

    settings = Settings()
    uvicorn.run(
        "quantflow_server.asgi:app",
        host=host or settings.host,
        port=port or settings.port,
        reload=reload,
        proxy_headers=False,
        # The sans-I/O websockets protocol (the legacy one is deprecated and fails to close a socket
        # after an error), without per-message deflate: every subscriber's copy of a run's frames
        # would be compressed separately: two thirds of the fan-out's CPU in a profile of 500 subscribers.
        ws="websockets-sansio",
        ws_per_message_deflate=False,
    )
