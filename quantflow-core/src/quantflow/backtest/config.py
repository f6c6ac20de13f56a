"""What a backtest is asked to do: the period, the account, the costs and the instruments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from quantflow.domain.instrument import Exchange, Instrument
from quantflow.market.fees import FeeSchedule
from quantflow.trading.paper import PaperBrokerConfig
from quantflow.trading.risk import RiskLimits


class BacktestConfig(BaseModel):
    """Daily-bar backtest settings. The paper broker is built from these, so a paper session with
    the same settings applies the very same rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date = Field(description="First session whose bar may trigger orders.")
    end: date = Field(description="Last session (inclusive).")
    initial_cash: int = Field(1_000_000_000, strict=True, gt=0, description="VND")
    fees: FeeSchedule = FeeSchedule()
    slippage_ticks: int = Field(0, ge=0)
    max_participation: Decimal = Field(Decimal(1), gt=0, le=1)
    risk: RiskLimits = RiskLimits(check_sessions=False)
    exchanges: dict[str, Exchange] = Field(default_factory=dict, description="Symbol -> exchange; others use default_exchange.")
    default_exchange: Exchange = Exchange.HOSE
    accounts: Literal["shared", "per_symbol"] = Field(
        "shared", description="One account for the whole universe, or one independent account of "
        "initial_cash per symbol (what separate single-symbol backtests give, in one run).")
    symbols: tuple[str, ...] = Field((), description="Override the symbols of the workflow's bars nodes.")
    warmup_bars: int | None = Field(None, ge=0, description="History before `start` the signals may use; default: the bars nodes' lookback.")

    @model_validator(mode="after")
    def _ordered(self) -> BacktestConfig:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def instruments(self, symbols: list[str]) -> dict[str, Instrument]:
        return {s: Instrument(symbol=s, exchange=self.exchanges.get(s, self.default_exchange)) for s in symbols}

    def broker_config(self, symbols: list[str]) -> PaperBrokerConfig:
        return PaperBrokerConfig(
            account_id="backtest", initial_cash=self.initial_cash,
            instruments=tuple(self.instruments(symbols).values()), fees=self.fees, risk=self.risk,
            slippage_ticks=self.slippage_ticks, max_participation=self.max_participation,
        )
