"""Configuration of the paper broker (validated; this is the `config_model` of `core:paper`)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from quantflow.domain.instrument import Instrument
from quantflow.domain.portfolio import Position
from quantflow.market.fees import FeeSchedule
from quantflow.trading.risk import RiskLimits


class PaperBrokerConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    account_id: str = "paper"
    initial_cash: int = Field(default=1_000_000_000, strict=True, ge=0, description="VND")
    instruments: tuple[Instrument, ...] = Field(
        default=(), description="Tradable instruments; orders for other symbols are rejected."
    )
    initial_positions: tuple[Position, ...] = Field(
        default=(), description="Holdings at start, treated as settled."
    )
    reference_prices: dict[str, int] = Field(
        default_factory=dict,
        description="Reference price (VND) for the first day seen, per symbol; later days use the "
        "previous day's last price.",
    )
    fees: FeeSchedule = FeeSchedule()
    risk: RiskLimits = RiskLimits()
    slippage_ticks: int = Field(
        default=0, ge=0, description="Market-type orders fill this many ticks worse than the print."
    )
    max_participation: Decimal = Field(
        default=Decimal(1), gt=0, le=1,
        description="Largest fraction of a bar's/tick's volume our orders may take (partial fills).",
    )
