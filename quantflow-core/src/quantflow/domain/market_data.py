"""Market data as QuantFlow sees it: prices in whole VND, quantities in shares, aware timestamps.

Feed adapters convert from their wire units (DNSE: thousands of VND) with
`quantflow.domain.money.vnd_from_thousands` before building these models.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from quantflow.domain.money import NonNegativeQuantity, PriceVnd, Quantity


class Auction(StrEnum):
    """Which call auction printed a trade (None on a tick means continuous matching)."""

    ATO = "ATO"
    ATC = "ATC"


class Bar(BaseModel):
    """An OHLCV bar. `start` is the bar's opening instant; `end` its (exclusive) close instant.
    Knowing `end` lets the paper broker never fill an order on a bar that began before it existed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    start: AwareDatetime
    end: AwareDatetime
    open: PriceVnd
    high: PriceVnd
    low: PriceVnd
    close: PriceVnd
    volume: NonNegativeQuantity = Field(description="Shares traded in the bar.")

    @model_validator(mode="after")
    def _consistent(self) -> Bar:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        if self.high < max(self.open, self.close, self.low):
            raise ValueError(f"high {self.high} is below open/close/low")
        if self.low > min(self.open, self.close):
            raise ValueError(f"low {self.low} is above open/close")
        return self


class Tick(BaseModel):
    """One matched trade (time and sales)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    ts: AwareDatetime
    price: PriceVnd
    quantity: Quantity = Field(description="Shares matched.")
    auction: Auction | None = Field(default=None, description="Set when this is an auction print.")


class Quote(BaseModel):
    """Top of book. A side is None when the book on that side is empty."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    ts: AwareDatetime
    bid_price: PriceVnd | None = None
    bid_quantity: NonNegativeQuantity = 0
    ask_price: PriceVnd | None = None
    ask_quantity: NonNegativeQuantity = 0

    @model_validator(mode="after")
    def _not_crossed(self) -> Quote:
        if self.bid_price is not None and self.ask_price is not None:
            if self.bid_price >= self.ask_price:
                raise ValueError(f"crossed quote: bid {self.bid_price} >= ask {self.ask_price}")
        return self
