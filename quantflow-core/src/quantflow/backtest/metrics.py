"""Performance metrics from the daily equity curve, the trades and the fills.

Conventions: daily returns of equity; 252 sessions a year; risk-free rate 0; Sortino uses the
downside deviation over all days; exposure is the share of sessions ending with any position;
turnover is traded value over average equity; drawdown duration counts sessions below the peak.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from quantflow.backtest.trades import FillColumns, exact

if TYPE_CHECKING:
    from quantflow.backtest.config import BacktestConfig

SESSIONS_PER_YEAR = 252


class Metrics(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    start_equity: int
    end_equity: int
    total_return_pct: float
    cagr_pct: float
    volatility_pct: float
    sharpe: float | None
    sortino: float | None
    max_drawdown_pct: float
    max_drawdown_sessions: int
    trades: int
    win_rate_pct: float | None
    profit_factor: float | None
    exposure_pct: float
    turnover: float
    fees: int
    taxes: int


def _drawdown(equity: np.ndarray) -> tuple[float, int]:
    peak = np.maximum.accumulate(equity)
    depth = 1 - equity / peak
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (depth > 0).view(np.int8), [0]])))  # where runs below start / end
    longest = int((edges[1::2] - edges[::2]).max(initial=0))
    return float(depth.max(initial=0.0)) * 100, longest


def compute_metrics(config: BacktestConfig, equity: Sequence[Any], trades: Sequence[Any], fills: FillColumns) -> Metrics:
    values = np.array([p.equity for p in equity], dtype=float)
    start = config.initial_cash
    end = int(equity[-1].equity) if equity else start
    returns = np.diff(np.concatenate([[float(start)], values])) / np.concatenate([[float(start)], values[:-1]]) if len(values) else np.array([])
    years = len(values) / SESSIONS_PER_YEAR
    mean, std = (float(returns.mean()), float(returns.std(ddof=1))) if len(returns) > 1 else (0.0, 0.0)
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0) ** 2))) if len(returns) else 0.0
    pnl = exact([t.pnl for t in trades if t.pnl is not None])  # the closed trades'
    won = pnl > 0
    gains, losses, wins = int(pnl[won].sum()), -int(pnl[pnl < 0].sum()), int(np.count_nonzero(won))
    invested = [p.equity != p.cash for p in equity]
    traded, fees, taxes = int(fills.value.sum()), int(fills.fee.sum()), int(fills.tax.sum())
    depth, duration = _drawdown(np.concatenate([[float(start)], values]))
    return Metrics(
        start_equity=start, end_equity=end,
        total_return_pct=(end / start - 1) * 100,
        cagr_pct=((end / start) ** (1 / years) - 1) * 100 if years > 0 and end > 0 else 0.0,
        volatility_pct=std * math.sqrt(SESSIONS_PER_YEAR) * 100,
        sharpe=mean / std * math.sqrt(SESSIONS_PER_YEAR) if std > 0 else None,
        sortino=mean / downside * math.sqrt(SESSIONS_PER_YEAR) if downside > 0 else None,
        max_drawdown_pct=depth, max_drawdown_sessions=duration,
        trades=len(pnl),
        win_rate_pct=wins / len(pnl) * 100 if len(pnl) else None,
        profit_factor=gains / losses if losses else None,
        exposure_pct=sum(invested) / len(invested) * 100 if invested else 0.0,
        turnover=traded / float(values.mean()) if len(values) else 0.0,
        fees=fees, taxes=taxes,
    )
