"""Cash and holdings of the paper account, with T+2 settlement of bought shares.

Cash moves at fill time (sale proceeds are usable at once, as with DNSE's cash advance); bought
shares become sellable on their settlement date. Cost basis uses the average-cost method, fees of
buys included; a sale removes cost in proportion, rounded half-even to whole VND.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from quantflow.domain.orders import Fill, Side
from quantflow.domain.portfolio import PendingSettlement, Position
from quantflow.domain.trusted import built

_PENDING_SET, _POSITION_SET = set(PendingSettlement.model_fields), set(Position.model_fields)  # shared (frozen)


@dataclass
class _Holding:
    quantity: int = 0
    cost_basis: int = 0
    pending: list[PendingSettlement] = field(default_factory=list)

    def settled(self, today: date) -> int:
        return self.quantity - sum(p.quantity for p in self.pending if p.settles_on > today)


class PaperPortfolio:
    def __init__(self, cash: int, positions: tuple[Position, ...] = ()) -> None:
        self.cash = cash
        self._settled: date | None = None  # the day `settle` last ran for
        self._holdings: dict[str, _Holding] = {
            p.symbol: _Holding(p.quantity, p.cost_basis) for p in positions if p.quantity
        }

    def apply_fill(self, fill: Fill, settles_on: date) -> None:
        holding = self._holdings.get(fill.symbol)
        if holding is None:  # (not `setdefault`: that would build a holding for every fill)
            holding = self._holdings[fill.symbol] = _Holding()
        self.cash += fill.cash_flow
        if fill.side is Side.BUY:
            holding.quantity += fill.quantity
            holding.cost_basis += fill.notional + fill.fee
            holding.pending.append(built(PendingSettlement, {"quantity": fill.quantity, "settles_on": settles_on},
                                         fields_set=_PENDING_SET))
            return
        if fill.quantity > holding.quantity:
            raise AssertionError(f"paper sale of {fill.quantity} {fill.symbol} exceeds holding")
        remaining = holding.quantity - fill.quantity
        if remaining == 0:  # sold out: no cost left to apportion
            del self._holdings[fill.symbol]
            return
        holding.cost_basis = round(Fraction(holding.cost_basis * remaining, holding.quantity))
        holding.quantity = remaining

    def settle(self, today: date) -> None:
        """Forget settlement lots that have settled by `today`."""
        if today == self._settled:
            return  # done for this day: a later fill's lots settle after it (T+n, n >= 1)
        self._settled = today
        for holding in self._holdings.values():
            if holding.pending:
                holding.pending = [p for p in holding.pending if p.settles_on > today]

    def position(self, symbol: str, today: date, reserved_for_sale: int = 0) -> Position | None:
        holding = self._holdings.get(symbol)
        if holding is None:
            return None
        # Consistent by construction (the holding only changes through validated fills, and
        # sellable never exceeds what is held), and built for every risk check: not validated again.
        return built(Position, {
            "symbol": symbol,
            "quantity": holding.quantity,
            "sellable_quantity": self.sellable(symbol, today, reserved_for_sale),
            "cost_basis": holding.cost_basis,
            "pending": tuple(p for p in holding.pending if p.settles_on > today),
        }, fields_set=_POSITION_SET)

    def sizing(self, symbol: str, today: date, order_day: date, reserved_for_sale: int) -> tuple[int, int]:
        """(shares held, shares sellable on `order_day`): what `position(symbol, today,
        reserved_for_sale)` says once the lots settling by `order_day` are counted as sellable."""
        holding = self._holdings[symbol]
        later = sum(p.quantity for p in holding.pending if today < p.settles_on <= order_day)
        return holding.quantity, self.sellable(symbol, today, reserved_for_sale) + later

    def sellable(self, symbol: str, today: date, reserved_for_sale: int) -> int:
        """Shares of `symbol` settled by `today` and not held back by open sells (0 without any)."""
        holding = self._holdings.get(symbol)
        return 0 if holding is None else max(0, holding.settled(today) - reserved_for_sale)

    def quantities(self) -> dict[str, int]:
        return {symbol: h.quantity for symbol, h in self._holdings.items()}

    def symbols(self) -> list[str]:
        return sorted(self._holdings)
