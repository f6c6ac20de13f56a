"""Request and response bodies of the run endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Symbol = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Z0-9_.]+$")]


class RunRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    revision: int | None = Field(None, ge=1, le=2**31 - 1, description="Default: the newest revision.")
    mode: Literal["manual", "backtest", "paper"] = "manual"
    symbols: list[Symbol] = Field(
        default_factory=list, max_length=100, description="Backtest/paper: default the workflow's bars nodes' symbols."
    )
    start: date | None = Field(None, description="Backtest/paper: first session.")
    end: date | None = Field(None, description="Backtest/paper: last session (inclusive).")
    initial_cash: int = Field(1_000_000_000, gt=0, le=10**15, description="VND")
    fast: bool = Field(False, description="Backtest: the vectorised fast path (data-only signals).")
    pace_ms: int = Field(
        0,
        ge=0,
        le=60_000,
        description="Paper: wait this long after each session, replaying the market at a watchable pace; "
        "every session then reports its progress.",
    )


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
