"""The bar timestamp convention, and resolutions.

**A bar's `time` is the instant it became final (its close), in UTC.** A daily bar is stamped at
15:00 Asia/Ho_Chi_Minh of its session date (08:00 UTC): by then every exchange has finished, the
closing auction (14:30-14:45) and HOSE put-through / HNX post-close (until 15:00) included, so no
field of the bar can still change. An intraday bar is stamped at the end of its interval.

Why the close and not the session date at midnight: with close stamps, "a node at instant `t` may
see exactly the bars with `time <= t`" is the whole no-look-ahead rule — one comparison, for daily
and intraday alike, and a replay never emits a bar before its `time`. A midnight stamp would make a
bar look available fifteen hours before its close price existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from quantflow.errors import QuantflowError

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: Local time at which a daily bar is final (all sessions, put-through and PLO included).
DAILY_BAR_CLOSE = time(15, 0)
#: UTC offset of Vietnam (no daylight saving), used for vectorised conversion.
_VN_OFFSET = np.timedelta64(7, "h")
_DAILY_CLOSE_UTC = np.timedelta64(15, "h") - _VN_OFFSET


def daily_bar_time(days: np.ndarray) -> np.ndarray:
    """Session dates (`datetime64[D]`) -> bar times (`datetime64[ns]`, UTC): 15:00 local."""
    return days.astype("datetime64[ns]") + _DAILY_CLOSE_UTC


def session_date(times: np.ndarray) -> np.ndarray:
    """Bar times (UTC `datetime64[ns]`) -> their local session dates (`datetime64[D]`)."""
    return (times + _VN_OFFSET).astype("datetime64[D]")


def to_utc64(when: datetime) -> np.datetime64:
    """An aware datetime as UTC `datetime64[ns]`. Naive datetimes are refused: their zone is a guess."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise QuantflowError(f"datetime {when!r} is naive; pass a timezone-aware datetime")
    naive = when.astimezone(UTC).replace(tzinfo=None)
    return np.datetime64(naive, "ns")


def from_utc64(value: np.datetime64) -> datetime:
    """UTC `datetime64` -> aware datetime (microsecond precision)."""
    micros = int(value.astype("datetime64[us]").astype(np.int64))
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def bound_datetime(when: datetime | date | None, *, is_end: bool) -> datetime | None:
    """A `bars()` start/end as a datetime. A plain `date` means that local session day: as a
    start, its first instant; as an end, its last, so the day's own bar is included."""
    if when is None or isinstance(when, datetime):
        return when
    moment = time.max if is_end else time.min
    return datetime.combine(when, moment, tzinfo=VN_TZ)


def query_bound(when: datetime | date | None, *, is_end: bool) -> np.datetime64 | None:
    """A `bars()` start/end as a UTC instant (a plain `date` as in `bound_datetime`)."""
    bound = bound_datetime(when, is_end=is_end)
    return None if bound is None else to_utc64(bound)


@dataclass(frozen=True, slots=True)
class Resolution:
    """A bar length: `1D` (one session) or an intraday span such as `1s`, `1m`, `5m`, `1h`."""

    text: str
    daily: bool
    span: np.timedelta64

    def __str__(self) -> str:
        return self.text


_RES = re.compile(r"^\s*(\d*)\s*([smhdSMHD]|min)\s*$")
_Unit = Literal["s", "m", "h"]
_UNITS: dict[str, _Unit] = {"s": "s", "m": "m", "min": "m", "h": "h"}


def parse_resolution(text: str) -> Resolution:
    """`"1D"`/`"D"`/`"1d"` -> daily; `"1m"`, `"5min"`, `"1h"`, `"1s"` -> intraday. Multi-day bars
    are refused rather than guessed (weeks of sessions are not a fixed span)."""
    match = _RES.match(text) if isinstance(text, str) else None
    if match is None:
        raise QuantflowError(f"unknown resolution {text!r}; use e.g. '1D', '1m', '5m', '1h', '1s'")
    count = int(match.group(1) or 1)
    unit = match.group(2)
    if count <= 0:
        raise QuantflowError(f"resolution {text!r} must be positive")
    if unit in ("d", "D"):
        if count != 1:
            raise QuantflowError(f"resolution {text!r}: only one-session daily bars ('1D') exist")
        return Resolution("1D", True, np.timedelta64(1, "D"))
    unit = _UNITS[unit.lower() if unit != "M" else "m"]
    return Resolution(f"{count}{unit}", False, np.timedelta64(count, unit).astype("timedelta64[ns]"))
