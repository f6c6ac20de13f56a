"""What `quantflow audit verify` does (the core CLI imports this only when the command runs)."""

from __future__ import annotations

import asyncio

from quantflow_server.audit import ledger
from quantflow_server.audit.chain import Verdict
from quantflow_server.db.database import Database
from quantflow_server.settings import Settings


async def _verify(settings: Settings) -> Verdict:
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        async with db.engine.connect() as conn:
            return await ledger.verify(conn)
    finally:
        await db.dispose()


def verify_sync(settings: Settings | None = None) -> Verdict:
    """Verify the whole ledger of the configured database."""
    return asyncio.run(_verify(settings or Settings()))
