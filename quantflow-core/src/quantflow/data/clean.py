"""Quality rules: turn a `RawTable` into clean `Bars` per symbol plus the issues found.

Everything is vectorised over the whole file (the long VCI file has 2.2 M rows); Python loops run
only over problems and symbols. The policy (see `quality.py`) decides whether a problem rejects its
symbol (strict) or drops/reorders rows (repair). No value is ever changed except the exact unit
conversion, and no row is ever invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import numpy as np

from quantflow.data.bars import Bars
from quantflow.data.layout import UNIT_SCALE, Layout
from quantflow.data.quality import Action, Issue, ProblemCode, QualityPolicy, Severity
from quantflow.data.table import NUMBER_FIELDS, PRICE_FIELDS, RawTable
from quantflow.data.timestamps import daily_bar_time
from quantflow.market.calendar import TradingCalendar

SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,20}$")
_P = ProblemCode
#: Under repair: (severity, action) per code; anything not listed is an error whose rows are dropped.
_REPAIR: dict[ProblemCode, tuple[Severity, Action]] = {
    _P.DUPLICATE: ("warning", "dropped"),
    _P.UNSORTED: ("warning", "reordered"),
    _P.MISSING_DAYS: ("warning", "kept"),
    _P.OUTSIDE_RANGE: ("info", "dropped"),
}


@dataclass(slots=True)
class CleanResult:
    bars: dict[str, Bars]
    issues: list[Issue]
    rejected: set[str] = field(default_factory=set)
    rows_read: int = 0
    rows_kept: int = 0
    rows_by_symbol: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CleanOptions:
    layout: Layout
    policy: QualityPolicy = "strict"
    start: date | None = None
    end: date | None = None
    calendar: TradingCalendar | None = None


@lru_cache(maxsize=4)
def _trading_days(calendar: TradingCalendar) -> np.ndarray:
    return np.array(calendar.trading_days(calendar.first, calendar.last), "datetime64[D]")


class _Recorder:
    """Collects issues for one table; `row` issues carry line and symbol of a row index."""

    def __init__(self, table: RawTable, names: list[str], codes: np.ndarray) -> None:
        self.table, self.names, self.codes = table, names, codes
        self.issues: list[Issue] = []

    def rows(self, code: ProblemCode, rows: np.ndarray, field: str | None, message: str,
             values: np.ndarray | None = None) -> None:
        """One issue per row index in `rows`; `{v}` in message is the row's value."""
        for i in rows.tolist():
            value = None if values is None else _fmt(values[i])
            self.issues.append(Issue(
                code, self.table.file, int(self.table.line[i]), self.names[self.codes[i]], field,
                value, message.format(v=value), "error", "dropped",
            ))


def _fmt(value: object) -> str:
    if isinstance(value, (float, np.floating)):
        return repr(float(value)) if not float(value).is_integer() else str(int(value))
    return str(value)


def _symbols(table: RawTable, file_symbol: str | None) -> tuple[list[str], np.ndarray]:
    """Distinct symbols and a code per row, by runs (a sorted long file has one run per symbol)."""
    n = len(table)
    if table.symbol is None:
        return [(file_symbol or "").upper()], np.zeros(n, np.int64)
    raw = table.symbol
    if n == 0:
        return [], np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], raw[1:] != raw[:-1])))
    ids: dict[str, int] = {}
    run_codes = np.array([ids.setdefault(str(s).strip().upper(), len(ids)) for s in raw[starts].tolist()])
    lengths = np.diff(np.append(starts, n))
    return list(ids), np.repeat(run_codes, lengths)


def clean(table: RawTable, options: CleanOptions, file_symbol: str | None = None) -> CleanResult:
    names, codes = _symbols(table, file_symbol)
    rec = _Recorder(table, names, codes)
    n = len(table)
    bad = table.bad.copy() if len(table.bad) == n else np.zeros(n, bool)
    days = table.date

    bad_symbol = np.array([not SYMBOL_RE.match(s) for s in names], bool)
    if bad_symbol.any():
        rows = np.flatnonzero(bad_symbol[codes] & ~bad)
        rec.rows(_P.BAD_SYMBOL, rows, "symbol", "symbol {v!r} is not 1-20 upper-case letters/digits",
                 np.array(names, dtype=object)[codes])
        bad |= bad_symbol[codes]

    in_range = np.ones(n, bool)
    for bound, outside, word in ((options.start, np.less, "before"), (options.end, np.greater, "after")):
        if bound is not None:
            out = outside(days, np.datetime64(bound, "D")) & ~bad
            rec.rows(_P.OUTSIDE_RANGE, np.flatnonzero(out), "date",
                     f"date {{v}} is {word} the configured {'start' if word == 'before' else 'end'} "
                     f"{bound}", days)
            in_range &= ~out
    rows_read = n
    live = ~bad & in_range

    values, bad_value = _check_values(table, options.layout, live, rec)
    bad |= bad_value
    if options.calendar is not None:
        bad |= _check_calendar(days, live & ~bad, options.calendar, rec)
    keep = np.flatnonzero(live & ~bad)

    keep = _order_and_dedupe(keep, codes, days, values, rec)
    if options.calendar is not None:
        _check_gaps(keep, codes, days, options.calendar, rec)

    issues = _attribute(table.issues, table, names, codes) + rec.issues
    issues, rejected = _apply_policy(issues, options.policy, names)
    bars: dict[str, Bars] = {}
    times = daily_bar_time(days[keep])
    sorted_codes = codes[keep]
    bounds = np.searchsorted(sorted_codes, np.arange(len(names) + 1))
    kept = 0
    for c, name in enumerate(names):
        lo, hi = int(bounds[c]), int(bounds[c + 1])
        if name in rejected or bad_symbol[c] or hi == lo:
            continue
        sel = keep[lo:hi]
        bars[name] = Bars(name, times[lo:hi], *(values[f][sel] for f in NUMBER_FIELDS))
        kept += hi - lo
    per_symbol = np.bincount(codes, minlength=len(names)).tolist()
    return CleanResult(bars, issues, rejected, rows_read, kept, dict(zip(names, per_symbol, strict=True)))


def _check_values(table: RawTable, layout: Layout, live: np.ndarray,
                  rec: _Recorder) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Unit conversion plus per-row value rules; returns converted columns and a bad-row mask."""
    bad = np.zeros(len(table), bool)
    scale = UNIT_SCALE[layout.price_unit]
    unit = layout.price_unit
    out: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", over="ignore"):
        for f in NUMBER_FIELDS:
            raw = table.numbers[f]
            finite = np.isfinite(raw)
            rec.rows(_P.NON_FINITE, np.flatnonzero(live & ~finite), f, f"{f} is {{v}}", raw)
            if f == "volume":
                neg = finite & (raw < 0)
                rec.rows(_P.NEGATIVE_VOLUME, np.flatnonzero(live & neg), f,
                         "volume {v} is negative", raw)
                scaled = raw
            else:
                neg = finite & (raw <= 0)
                rec.rows(_P.NON_POSITIVE_PRICE, np.flatnonzero(live & neg), f,
                         f"{f} {{v}} ({unit}) is not positive", raw)
                scaled = raw * scale
            if f == "volume" or unit != "points":
                whole = np.rint(scaled)
                frac = finite & ~neg & (np.abs(scaled - whole) > 1e-9 * np.abs(whole) + 1e-6)
                what = "shares" if f == "volume" else "VND"
                rec.rows(_P.FRACTIONAL, np.flatnonzero(live & frac), f,
                         f"{f} {{v}} ({'shares' if f == 'volume' else unit}) is not a whole number "
                         f"of {what}", raw)
                scaled = whole
                neg |= frac
            bad |= ~finite | neg
            out[f] = scaled
        ok = live & ~bad
        hl = ok & (out["high"] < out["low"])
        rec.rows(_P.HIGH_BELOW_LOW, np.flatnonzero(hl), "high", "high is below low", None)
        lo, hi = out["low"], out["high"]
        outside = ok & ~hl & ((out["open"] < lo) | (out["open"] > hi) | (out["close"] < lo)
                              | (out["close"] > hi))
        for i in np.flatnonzero(outside).tolist():
            o, h, low, c = (table.numbers[f][i] for f in PRICE_FIELDS)
            rec.issues.append(Issue(
                _P.OHLC_INCONSISTENT, table.file, int(table.line[i]), rec.names[rec.codes[i]],
                "open" if not low <= o <= h else "close", None,
                f"open {_fmt(o)} / close {_fmt(c)} outside low {_fmt(low)} .. high {_fmt(h)}",
                "error", "dropped",
            ))
    return out, bad | hl | outside


def _check_calendar(days: np.ndarray, live: np.ndarray, calendar: TradingCalendar,
                    rec: _Recorder) -> np.ndarray:
    tdays = _trading_days(calendar)
    first, last = np.datetime64(calendar.first, "D"), np.datetime64(calendar.last, "D")
    covered = live & (days >= first) & (days <= last)
    pos = np.searchsorted(tdays, days)
    hit = (pos < len(tdays)) & (tdays[np.minimum(pos, len(tdays) - 1)] == days)
    wrong: np.ndarray = covered & ~hit
    rec.rows(_P.NOT_TRADING_DAY, np.flatnonzero(wrong), "date",
             "{v} is not a trading day (weekend or exchange holiday)", days)
    return wrong


def _order_and_dedupe(keep: np.ndarray, codes: np.ndarray, days: np.ndarray,
                      values: dict[str, np.ndarray], rec: _Recorder) -> np.ndarray:
    """Report rows out of date order and duplicates; return `keep` sorted by (symbol, date),
    exact duplicates reduced to their first line and conflicting dates removed."""
    if len(keep) == 0:
        return keep
    c, d = codes[keep], days[keep].astype(np.int64)
    grouped = keep[np.argsort(c, kind="stable")]  # per symbol, file order
    key = (codes[grouped] << 32) | (days[grouped].astype(np.int64) - d.min())
    seen = np.maximum.accumulate(key)
    late = np.flatnonzero(key[1:] < seen[:-1]) + 1
    prior = (seen[late - 1] & 0xFFFFFFFF) + d.min()
    for i, p in zip(late.tolist(), prior.tolist(), strict=True):
        row = int(grouped[i])
        rec.issues.append(Issue(
            _P.UNSORTED, rec.table.file, int(rec.table.line[row]), rec.names[codes[row]], "date",
            str(days[row]), f"date {days[row]} comes after {np.datetime64(p, 'D')} on an earlier "
            "line (rows not in date order)", "error", "dropped",
        ))
    order = keep[np.lexsort((days[keep], codes[keep]))]
    oc, od = codes[order], days[order]
    same = np.concatenate(([False], (oc[1:] == oc[:-1]) & (od[1:] == od[:-1])))
    if not same.any():
        return order
    run_first = np.maximum.accumulate(np.where(~same, np.arange(len(order)), 0))
    differs = np.zeros(len(order), bool)
    for f in NUMBER_FIELDS:
        differs |= values[f][order] != values[f][order[run_first]]
    run_id = np.cumsum(~same) - 1
    conflict_run = np.zeros(run_id[-1] + 1, bool)
    np.logical_or.at(conflict_run, run_id, differs)
    conflict = conflict_run[run_id]
    for i in np.flatnonzero(conflict).tolist():
        row = int(order[i])
        others = [int(rec.table.line[r]) for r in order[run_id == run_id[i]].tolist() if r != row]
        rec.issues.append(Issue(
            _P.CONFLICTING_DUPLICATE, rec.table.file, int(rec.table.line[row]),
            rec.names[codes[row]], "date", str(days[row]),
            f"{days[row]} also on line(s) {others} with different values", "error", "dropped",
        ))
    exact = same & ~conflict
    for i in np.flatnonzero(exact).tolist():
        row, first = int(order[i]), int(order[run_first[i]])
        rec.issues.append(Issue(
            _P.DUPLICATE, rec.table.file, int(rec.table.line[row]), rec.names[codes[row]], "date",
            str(days[row]), f"exact duplicate of line {int(rec.table.line[first])}",
            "error", "dropped",
        ))
    kept: np.ndarray = order[~exact & ~conflict]
    return kept


def _check_gaps(keep: np.ndarray, codes: np.ndarray, days: np.ndarray,
                calendar: TradingCalendar, rec: _Recorder) -> None:
    if len(keep) < 2:
        return
    tdays = _trading_days(calendar)
    d, c = days[keep], codes[keep]
    first, last = np.datetime64(calendar.first, "D"), np.datetime64(calendar.last, "D")
    pos = np.searchsorted(tdays, d)
    inside = (d >= first) & (d <= last)
    gap = pos[1:] - pos[:-1] - 1
    where = np.flatnonzero((c[1:] == c[:-1]) & inside[1:] & inside[:-1] & (gap > 0)) + 1
    for i in where.tolist():
        row, missing = int(keep[i]), int(gap[i - 1])
        lost = tdays[pos[i - 1] + 1 : pos[i]]
        rec.issues.append(Issue(
            _P.MISSING_DAYS, rec.table.file, int(rec.table.line[row]), rec.names[codes[row]],
            "date", str(days[row]),
            f"{missing} trading day(s) missing before {days[row]}: {lost[0]}"
            + (f" .. {lost[-1]}" if missing > 1 else ""),
            "error", "kept",
        ))


def _attribute(issues: list[Issue], table: RawTable, names: list[str],
               codes: np.ndarray) -> list[Issue]:
    """Give reader issues (bad number/date) the symbol of their row, when the row is known."""
    out = []
    for issue in issues:
        i = int(np.searchsorted(table.line, issue.line)) if issue.line is not None else -1
        if issue.symbol is None and 0 <= i < len(table) and table.line[i] == issue.line:
            issue = issue._replace(symbol=names[codes[i]])
        elif issue.symbol is None and table.symbol is None and names:
            issue = issue._replace(symbol=names[0])
        out.append(issue)
    return out


def _apply_policy(issues: list[Issue], policy: QualityPolicy,
                  names: list[str]) -> tuple[list[Issue], set[str]]:
    """Set severity/action per policy; under strict, collect the symbols that are rejected."""
    rejected: set[str] = set()
    out = []
    for issue in issues:
        if issue.code is _P.OUTSIDE_RANGE:
            out.append(issue._replace(severity="info", action="dropped"))
        elif policy == "strict":
            if issue.symbol is None:
                rejected.update(names)  # cannot tell whose row it was: refuse the whole file
            else:
                rejected.add(issue.symbol)
            out.append(issue._replace(severity="error", action="rejected"))
        else:
            severity, action = _REPAIR.get(issue.code, ("error", "dropped"))
            out.append(issue._replace(severity=severity, action=action))
    return out, rejected
