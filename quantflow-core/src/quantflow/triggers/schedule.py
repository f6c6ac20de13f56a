"""When a `core:schedule` trigger fires next: the one function a host's scheduler calls.

Pure: no clock, no sleeping. A host asks `next_fire_time(params, after=now)`, waits until then, runs
the workflow, and asks again with `after` set to the time it just fired.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from quantflow.market.calendar import TradingCalendar, default_calendar
from quantflow.triggers.cron import check_cron, end_of_day, next_match


class ScheduleLike(Protocol):
    cron: str
    trading_days_only: bool


def next_fire_time(
    node_params: ScheduleLike | Mapping[str, Any],
    after: datetime,
    calendar: TradingCalendar | None = None,
) -> datetime | None:
    """The first instant strictly after `after` (timezone-aware) when the schedule fires, in
    Asia/Ho_Chi_Minh; None when the cron never matches again.

    With `trading_days_only`, matches on weekends and Vietnamese exchange holidays are skipped. A
    match beyond the calendar's known years raises `CalendarRangeError` rather than guessing
    whether that day is a holiday.
    """
    cron, trading_days_only = _read(node_params)
    calendar = calendar or default_calendar()
    candidate = next_match(cron, after)
    while candidate is not None and trading_days_only and not calendar.is_trading_day(candidate.date()):
        candidate = next_match(cron, end_of_day(candidate))
    return candidate


def _read(node_params: ScheduleLike | Mapping[str, Any]) -> tuple[str, bool]:
    if isinstance(node_params, Mapping):
        cron = check_cron(str(node_params["cron"]))
        return cron, bool(node_params.get("trading_days_only", False))
    return node_params.cron, node_params.trading_days_only
