"""The interface the routes record audit events through."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from quantflow_server.db.models import User


class AuditRecorder(Protocol):
    async def record(self, session: AsyncSession, action: str, user: User | None, details: dict[str, Any]) -> None:
        """Append one entry inside the caller's transaction (so it commits or rolls back with it)."""


class NullAudit:
    async def record(self, session: AsyncSession, action: str, user: User | None, details: dict[str, Any]) -> None:
        return None
