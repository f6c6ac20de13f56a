"""What can be traded: an `Instrument` is a listed stock on one of Vietnam's three exchanges."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Exchange(StrEnum):
    """The three Vietnamese stock exchanges/markets. Values match `quantflow.market` table keys."""

    HOSE = "HOSE"
    HNX = "HNX"
    UPCOM = "UPCOM"


class Instrument(BaseModel):
    """A listed stock. Market rules (ticks, bands, sessions) live in `quantflow.market`, keyed by
    `exchange` and `tick_ladder`, so the instrument only names which rules apply."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$", description="Ticker, upper case, e.g. 'HPG'.")
    exchange: Exchange
    lot_size: int = Field(default=100, strict=True, gt=0, description="Round lot in shares.")
    tick_ladder: str | None = Field(
        default=None,
        description="Key into `quantflow.market.ticks.TICK_LADDERS`; None means the exchange's "
        "default stock ladder.",
    )
    listing_date: date | None = Field(
        default=None, description="First trading day; on that day the wider first-day band applies."
    )

    @property
    def tick_ladder_id(self) -> str:
        """The tick ladder that applies: the explicit one, else the exchange's stock ladder. (`str`
        of the StrEnum is its value, without the enum's `value` descriptor: asked per order.)"""
        return self.tick_ladder or str(self.exchange)
