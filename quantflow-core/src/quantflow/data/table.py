"""`RawTable`: one file's rows as typed columns, before any quality rule is applied.

Readers (CSV, Parquet) produce it; `clean` turns it into `Bars`. Prices are still in the file's
unit here. A row that could not be parsed has `bad[i]` set and its problem already recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from quantflow.data.quality import Issue, ProblemCode

PRICE_FIELDS = ("open", "high", "low", "close")
NUMBER_FIELDS = (*PRICE_FIELDS, "volume")


@dataclass(slots=True)
class RawTable:
    file: str
    line: np.ndarray  # int64, 1-based line (CSV) or row (Parquet) of each row
    date: np.ndarray  # datetime64[D]; NaT where unparseable
    numbers: dict[str, np.ndarray]  # NUMBER_FIELDS -> float64 in the file's unit; NaN if unparseable
    symbol: np.ndarray | None = None  # str per row for long files
    bad: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    issues: list[Issue] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.line)


def parse_dates(text: np.ndarray, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Strings -> (`datetime64[D]`, ok mask). ISO goes through numpy's C parser, checked by a round
    trip (numpy would read '2019' as 2019-01-01); whatever that rejects, and other formats, is
    parsed with `strptime`, each distinct string once."""
    text = np.asarray(text, dtype=str)
    if fmt == "%Y-%m-%d" and len(text):
        days, ok = iso_days(text)
    else:
        days = np.full(len(text), np.datetime64("NaT"), "datetime64[D]")
        ok = np.zeros(len(text), bool)
    todo = np.flatnonzero(~ok)
    if len(todo):
        uniques, inverse = np.unique(text[todo], return_inverse=True)
        parsed = np.full(len(uniques), np.datetime64("NaT"), "datetime64[D]")
        for i, raw in enumerate(uniques.tolist()):
            try:
                parsed[i] = np.datetime64(datetime.strptime(raw.strip(), fmt).date(), "D")
            except ValueError:
                pass
        days[todo] = parsed[inverse.reshape(-1)]
        ok[todo] = ~np.isnat(days[todo])
    return days, ok


def iso_days(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exactly 'YYYY-MM-DD' strings -> days, by arithmetic on the characters (much faster than
    numpy's string parser, and stricter: numpy would read '2019' as 2019-01-01)."""
    n = len(text)
    width = text.dtype.itemsize // 4
    if width < 10:
        return np.full(n, np.datetime64("NaT"), "datetime64[D]"), np.zeros(n, bool)
    chars = np.ascontiguousarray(text).view(np.uint32).reshape(n, width)

    def digit(k: int) -> np.ndarray:
        return chars[:, k].astype(np.int32) - 48

    d = {k: digit(k) for k in (0, 1, 2, 3, 5, 6, 8, 9)}
    ok = (chars[:, 4] == 45) & (chars[:, 7] == 45)
    for value in d.values():
        ok &= (value >= 0) & (value <= 9)
    if width > 10:
        ok &= chars[:, 10] == 0
    year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3]
    month = d[5] * 10 + d[6]
    day = d[8] * 10 + d[9]
    ok &= (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    length = ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    ok &= day <= length
    days = first + np.where(ok, day - 1, 0).astype("timedelta64[D]")
    return np.where(ok, days, np.datetime64("NaT")), ok


def date_issue(file: str, line: int, raw: str, fmt: str) -> Issue:
    return Issue(
        ProblemCode.BAD_DATE, file, line, None, "date", raw,
        f"date {raw!r} does not match the format {fmt!r}", "error", "dropped",
    )
