"""Request and response bodies of the run endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class RunRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    revision: int | None = Field(None, ge=1, le=2**31 - 1, description="Default: the newest revision.")
    mode: Literal["manual"] = "manual"


class RunOut(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    workflow_id: str
    revision: int
    owner: str
    mode: str
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    summary: dict[str, Any] | None
