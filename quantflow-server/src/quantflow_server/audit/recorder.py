"""The interface the routes record audit events through, and the ledger-backed implementation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from quantflow_server.audit import ledger
from quantflow_server.audit.chain import AuditEvent
from quantflow_server.db.models import User


class AuditRecorder(Protocol):
    async def record(self, session: AsyncSession, action: str, user: User | None, details: dict[str, Any]) -> None:
        """Append one entry inside the caller's transaction (so it commits or rolls back with it)."""

    async def record_many(self, session: AsyncSession, events: Sequence[AuditEvent]) -> None:
        """Append several entries at once, in order, inside the caller's transaction."""


def event(action: str, user: User | None, details: dict[str, Any]) -> AuditEvent:
    """The actor is whoever the details name as `by` (who did it), else the user acted on."""
    actor = details.get("by") or (user.username if user is not None else None)
    return AuditEvent(action, None if actor is None else str(actor), details)


class LedgerAudit:
    """Writes to the hash-chained ledger (the default)."""

    async def record(self, session: AsyncSession, action: str, user: User | None, details: dict[str, Any]) -> None:
        await ledger.append(session, [event(action, user, details)])

    async def record_many(self, session: AsyncSession, events: Sequence[AuditEvent]) -> None:
        await ledger.append(session, events)


class NullAudit:
    """Records nothing: for tools and tests that must not write a ledger."""

    async def record(self, session: AsyncSession, action: str, user: User | None, details: dict[str, Any]) -> None:
        return None

    async def record_many(self, session: AsyncSession, events: Sequence[AuditEvent]) -> None:
        return None
