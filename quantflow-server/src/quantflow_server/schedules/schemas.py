"""Request and response bodies of the activation endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ActivationRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = Field(..., description="true: the scheduler fires the workflow; false: it stops.")
    revision: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="The revision to fire (default: the newest). It stays pinned: "
        "saving a new revision changes nothing until it is activated.",
    )


class TriggerOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    node_id: str
    type: str
    kind: str
    next_wake_at: datetime | None = Field(
        description="When the scheduler fires it next; null for triggers the clock cannot wake (manual, tick, "
        "price alert: they need a market data feed) and when the workflow is not enabled."
    )


class ActivationOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    workflow_id: str
    enabled: bool
    revision: int | None
    updated_at: datetime | None
    last_fired_at: datetime | None
    triggers: list[TriggerOut]
