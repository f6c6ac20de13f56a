"""Admin endpoints: read the ledger, and verify its chain."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from litestar import Controller, get
from litestar.params import QueryParameter
from pydantic import BaseModel, ConfigDict

from quantflow_server.audit import ledger
from quantflow_server.auth.principal import admin_only
from quantflow_server.db.models import AuditEntry
from quantflow_server.deps import Session


class VerdictOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    reason: str | None


class EntryOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    seq: int
    at: str
    action: str
    actor: str | None
    payload: str
    prev_hash: str
    hash: str


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    guards = [admin_only]

    @get("/verify", summary="Check the whole hash chain; names the first bad entry (admin)")
    async def verify(self, session: Session) -> VerdictOut:
        verdict = await ledger.verify(await session.connection())
        return VerdictOut(**verdict.__dict__)

    @get("/entries", summary="Ledger entries in order, after a sequence number (admin)")
    async def entries(
        self,
        session: Session,
        after: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
        action: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> list[EntryOut]:
        query = sa.select(AuditEntry).where(AuditEntry.seq > after)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        rows = await session.scalars(query.order_by(AuditEntry.seq).limit(limit))
        return [
            EntryOut(
                seq=r.seq,
                at=r.at,
                action=r.action,
                actor=r.actor,
                payload=r.payload,
                prev_hash=r.prev_hash,
                hash=r.hash,
            )
            for r in rows
        ]
