"""What `quantflow vault rotate` does (imported only when the command runs)."""

from __future__ import annotations

import asyncio

from quantflow_server.audit.recorder import LedgerAudit
from quantflow_server.db.database import Database
from quantflow_server.settings import Settings
from quantflow_server.vault import service
from quantflow_server.vault.crypto import Vault
from quantflow_server.vault.keys import load_keys, prepend_new_key


async def _rotate(settings: Settings) -> int:
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        vault = Vault(lambda: load_keys(settings))
        async with db.session() as session:
            count = await service.rotate_all(session, vault)
            await LedgerAudit().record(session, "credentials_rotated", None, {"by": "cli", "count": count})
        return count
    finally:
        await db.dispose()


def rotate_sync(new_key: bool = False, settings: Settings | None = None) -> int:
    """Re-encrypt every credential with the newest key (first putting a new key first, if asked)."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    if new_key:
        prepend_new_key(settings)
    return asyncio.run(_rotate(settings))
