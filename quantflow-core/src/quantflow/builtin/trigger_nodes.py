"""Trigger nodes: what starts a run. They never fire by themselves: a host (server scheduler,
backtester, `quantflow run`) reads `quantflow.triggers.trigger_specs(plan)` to know what to wait
for, runs the plan, and says why through a `Wake` service. Each node then emits an event:
`{"time", "reason", "fired", "run_id", …}` where `fired` is False when the run was woken by some
other trigger of the same workflow (a manual run fires them all).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, field_validator

from quantflow.builtin.data_nodes import Resolution, Symbol
from quantflow.engine.context import RunContext
from quantflow.errors import QuantflowError
from quantflow.market.calendar import CalendarRangeError
from quantflow.nodes import Category, NodeParams, Port, PortType, node
from quantflow.triggers.cron import check_cron
from quantflow.triggers.schedule import next_fire_time
from quantflow.triggers.specs import TriggerKind
from quantflow.triggers.wake import wake_of


def trigger_event(ctx: RunContext, kind: TriggerKind, **fields: Any) -> dict[str, Any]:
    """The event a trigger node emits; the host's Wake (if any) supplies the time and details."""
    wake = wake_of(ctx.services)
    event: dict[str, Any] = {
        "time": (wake.time if wake else ctx.now()).isoformat(),
        "reason": kind.value,
        "fired": wake is None or wake.kind is kind,
        "run_id": ctx.run_id,
        **fields,
    }
    if wake is not None:
        event["woken_by"] = wake.kind.value
        event["details"] = dict(wake.details)
    return event


class ScheduleParams(NodeParams):
    cron: str = Field(
        "0 15 * * 1-5", min_length=1, max_length=200,
        description="When to run, as cron in Vietnam time (UTC+7): minute hour day-of-month month "
        "day-of-week, e.g. '0 15 * * 1-5' is 15:00 every weekday.",
        json_schema_extra={"format": "cron"},
    )
    trading_days_only: bool = Field(
        False, description="Skip weekends and Vietnamese exchange holidays (Tet, 30/4, 2/9, …)."
    )

    @field_validator("cron")
    @classmethod
    def cron_is_valid(cls, value: str) -> str:
        return check_cron(value)  # an invalid cron is an invalid_param on the canvas, not a failed run


@node(
    "core:schedule", category=Category.TRIGGER, title="Schedule", icon="clock", cacheable=False,
    outputs={"out": Port(PortType.EVENT, "Fires at each cron time; includes the next fire time.")},
)
def schedule_node(ctx: RunContext, params: ScheduleParams) -> dict[str, Any]:
    """Runs the workflow at cron times in Vietnam time, optionally on trading days only."""
    event = trigger_event(ctx, TriggerKind.SCHEDULE, cron=params.cron, trading_days_only=params.trading_days_only)
    try:
        upcoming = next_fire_time(params, datetime.fromisoformat(event["time"]))
    except CalendarRangeError:
        upcoming = None  # holidays of that year are unknown; the host reports it when scheduling
    event["next_time"] = upcoming.isoformat() if upcoming else None
    return event


class BarCloseParams(NodeParams):
    resolution: Resolution = Field("1D", description="Fire when a bar of this length closes.")
    symbols: list[Symbol] = Field(
        default_factory=list, max_length=2000,
        description="Only bars of these symbols; empty means any symbol the host feeds.",
    )


@node(
    "core:on_bar_close", category=Category.TRIGGER, title="On bar close", icon="candlestick", cacheable=False,
    outputs={"out": Port(PortType.EVENT, "Fires when a bar closes; details name the bar when the host gives it.")},
)
def on_bar_close_node(ctx: RunContext, params: BarCloseParams) -> dict[str, Any]:
    """Runs the workflow each time a bar of the chosen resolution closes (one run per bar in a backtest)."""
    return trigger_event(ctx, TriggerKind.BAR_CLOSE, resolution=params.resolution, symbols=list(params.symbols))


class TickParams(NodeParams):
    symbols: list[Symbol] = Field(
        ..., min_length=1, max_length=200, description="Run on every trade or quote of these symbols."
    )


@node(
    "core:on_tick", category=Category.TRIGGER, title="On tick", icon="activity", cacheable=False,
    outputs={"out": Port(PortType.EVENT, "Fires on each tick; details carry the tick when the host gives it.")},
)
def on_tick_node(ctx: RunContext, params: TickParams) -> dict[str, Any]:
    """Runs the workflow on every tick of the chosen symbols: for fast reactions in paper or live."""
    return trigger_event(ctx, TriggerKind.TICK, symbols=list(params.symbols))


class PriceAlertParams(NodeParams):
    symbol: Symbol = Field(..., description="The instrument to watch, e.g. HPG.")
    level: int = Field(..., gt=0, le=10_000_000_000, description="The price level in VND, e.g. 27500.")
    direction: Literal["above", "below"] = Field(
        "above", description="above: price goes from at-or-below the level to above it; below: the reverse."
    )


def crossings(
    prices: np.ndarray, level: float, direction: str, previous: float | None
) -> tuple[np.ndarray, float | None, float | None]:
    """Where each price crosses `level` coming from the price before it.

    Above: previous <= level < price (below: previous >= level > price). So touching the level is
    not a cross, leaving it after a touch is; a gap over the level counts (closes, not intrabar
    paths, are compared); the first price ever has nothing before it and never crosses; NaN prices
    never cross and are skipped, the one before them still counting as previous.
    Returns (crossed per price, the price before the newest, the newest finite price).
    """
    prices = np.asarray(prices, dtype=float)
    crossed = np.zeros(len(prices), dtype=bool)
    where = np.flatnonzero(np.isfinite(prices))
    values = prices[where]
    before = np.concatenate(([np.nan if previous is None else previous], values[:-1]))
    if direction == "above":
        crossed[where] = (before <= level) & (values > level)
    else:
        crossed[where] = (before >= level) & (values < level)
    if not len(values):
        return crossed, None, previous
    second = before[-1]
    return crossed, None if np.isnan(second) else float(second), float(values[-1])


OptionalFrame = Annotated[Any, Port(PortType.FRAME, "Bars; their close prices are watched.", required=False)]
OptionalSeries = Annotated[Any, Port(PortType.SERIES, "A price series to watch instead of bars.", required=False)]


@node(
    "core:price_alert", category=Category.TRIGGER, title="Price alert", icon="bell", stateful=True,
    outputs={
        "out": Port(PortType.EVENT, "The alert; 'fired' is true when the newest price crossed."),
        "crossed": Port(PortType.BOOL_SERIES, "True at each price that crossed the level."),
    },
)
def price_alert_node(
    ctx: RunContext, params: PriceAlertParams, frame: OptionalFrame = None, series: OptionalSeries = None
) -> dict[str, Any]:
    """Fires when a symbol's price crosses a level. Remembers the last price between the runs of a
    session, so a cross between two bar-by-bar runs is caught."""
    if frame is None and series is None:
        raise QuantflowError("connect a frame (bars) or a series of prices")
    bars = frame.get(params.symbol) if frame is not None else None
    if frame is not None:
        prices = bars.close if bars is not None else np.empty(0)
    else:
        prices = np.asarray(series.get(params.symbol, ()), dtype=float)
    state = ctx.node_state() if ctx.incremental else {}
    crossed, previous, price = crossings(prices, params.level, params.direction, state.get("previous"))
    if ctx.incremental:
        state["previous"] = price
    time = _bar_time(bars.time[-1]) if bars is not None and len(bars) else ctx.now()
    event = {
        "time": time.isoformat(),
        "reason": TriggerKind.PRICE_ALERT.value,
        "fired": bool(len(crossed) and crossed[-1]),
        "run_id": ctx.run_id,
        "symbol": params.symbol,
        "level": params.level,
        "direction": params.direction,
        "price": price,
        "previous": previous,
    }
    present = (frame if frame is not None else series).get(params.symbol) is not None
    return {"out": event, "crossed": {params.symbol: crossed} if present else {}}


def _bar_time(value: np.datetime64) -> datetime:
    moment: datetime = value.astype("datetime64[us]").item()
    return moment.replace(tzinfo=UTC)


NODE_TYPES = [schedule_node, on_bar_close_node, on_tick_node, price_alert_node]
