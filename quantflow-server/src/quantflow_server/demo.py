"""`quantflow demo`: everything a newcomer needs on embedded defaults, in one command.

A data directory of its own (SQLite), a `demo` trader whose password is generated once, kept in
a 0600 file and printed at every start, the example workflows loaded into that account, and the
server with the canvas. With no market data configured, backtests and paper runs use the seeded
synthetic market, and the canvas labels their results synthetic.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from quantflow_server.auth.principal import Principal, Role
from quantflow_server.auth.service import create_user
from quantflow_server.db.database import Database
from quantflow_server.db.models import User, Workflow
from quantflow_server.settings import Settings
from quantflow_server.workflows.service import check_document, create_workflow

DEMO_USER = "demo"
PASSWORD_FILE = "demo-password"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    loaded: list[str]  # example workflows added by this start (already present ones are kept)


def prepare(settings: Settings, examples: Path) -> DemoAccount:
    """Create the demo user and load the examples (idempotent: a second start changes nothing)."""
    return asyncio.run(_prepare(settings, examples))


async def _prepare(settings: Settings, examples: Path) -> DemoAccount:
    data_dir = settings.ensure_data_dir()
    db = Database(settings.resolved_database_url)
    try:
        await db.migrate()
        async with db.session() as session:
            user = await session.scalar(sa.select(User).where(User.username == DEMO_USER))
            password_file = data_dir / PASSWORD_FILE
            if user is None:
                password = secrets.token_urlsafe(12)
                user = await create_user(session, DEMO_USER, password, Role.TRADER)
                password_file.write_text(password + "\n", encoding="utf-8")
                password_file.chmod(0o600)
            else:
                password = password_file.read_text(encoding="utf-8").strip()
            me = Principal(id=user.id, username=user.username, role=Role(user.role))
            have = set(await session.scalars(sa.select(Workflow.name).where(Workflow.owner_id == user.id)))
            loaded = []
            for path in sorted(examples.glob("*.json")):
                raw = json.loads(path.read_text(encoding="utf-8"))
                if raw.get("name") in have:
                    continue
                document, _ = check_document(_host(), raw, draft=False)
                await create_workflow(session, me, document, "example workflow", draft=False)
                loaded.append(raw["name"])
            return DemoAccount(DEMO_USER, password, loaded)
    finally:
        await db.dispose()


def _host():  # type: ignore[no-untyped-def]
    from quantflow.plugins import get_host

    return get_host()


def configure_environment(data_dir: Path) -> Settings:
    """Point every QUANTFLOW_* default at the demo's own folder before the server reads them."""
    os.environ["QUANTFLOW_DATA_DIR"] = str(data_dir.resolve())
    return Settings()
