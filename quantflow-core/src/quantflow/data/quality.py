"""Data-quality problems and the report that names every one of them.

Bad market data is never used silently: each problem found while loading a file becomes an
`Issue` (cheap, internal) and, on request, a frozen `Problem` inside a `QualityReport` that the CLI
and the server can serialise as-is. Lines are 1-based physical line numbers of the file (the
header is line 1); for Parquet they are 1-based row numbers.

Policy (`QualityPolicy`):

* ``strict`` — any problem other than `outside_range` rejects the symbol: `bars()` raises
  `DataQualityError` carrying the report, and nothing of that symbol is served.
* ``repair`` — fixes only what is safely fixable: rows are sorted by date, exact duplicate rows
  dropped; rows with unusable values (NaN, non-positive prices, high < low, …) and every row of a
  date with conflicting duplicates are dropped. Gaps (missing trading days) are kept and reported
  as warnings: no price is ever invented.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from quantflow.errors import QuantflowError

QualityPolicy = Literal["strict", "repair"]


class ProblemCode(StrEnum):
    """What is wrong. The codes are stable: tools may match on them."""

    MALFORMED_ROW = "malformed_row"  # wrong number of fields
    BAD_NUMBER = "bad_number"  # a field that is not a number
    BAD_DATE = "bad_date"  # a date that does not parse in the configured format
    BAD_SYMBOL = "bad_symbol"  # a symbol that is not 1-20 upper-case letters/digits
    NON_FINITE = "non_finite"  # NaN or infinity
    NON_POSITIVE_PRICE = "non_positive_price"
    NEGATIVE_VOLUME = "negative_volume"
    FRACTIONAL = "fractional"  # not a whole number of VND (or shares) after unit conversion
    HIGH_BELOW_LOW = "high_below_low"
    OHLC_INCONSISTENT = "ohlc_inconsistent"  # open or close outside [low, high]
    NOT_TRADING_DAY = "not_trading_day"  # weekend or exchange holiday
    UNSORTED = "unsorted"  # a date earlier than one on a previous line of the same symbol
    DUPLICATE = "duplicate"  # same symbol and date, identical values
    CONFLICTING_DUPLICATE = "conflicting_duplicate"  # same symbol and date, different values
    MISSING_DAYS = "missing_days"  # trading days absent between two rows
    OUTSIDE_RANGE = "outside_range"  # before the configured start or after the configured end


Severity = Literal["error", "warning", "info"]
Action = Literal["rejected", "dropped", "reordered", "kept"]


class Issue(NamedTuple):
    """One problem, as recorded by the loader (a tuple: the big file can have tens of thousands)."""

    code: ProblemCode
    file: str
    line: int | None
    symbol: str | None
    field: str | None
    value: str | None
    message: str
    severity: Severity
    action: Action


class Problem(BaseModel):
    """One problem in a data file, with where it is and what was done about it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ProblemCode
    severity: Severity
    action: Action = Field(description="rejected (symbol refused), dropped, reordered or kept.")
    file: str
    line: int | None = Field(description="1-based line in the file (header = 1); Parquet: row.")
    symbol: str | None = None
    field: str | None = None
    value: str | None = None
    message: str

    def describe(self) -> str:
        where = f"{self.file}" + (f" line {self.line}" if self.line is not None else "")
        return f"{where}: {self.message} [{self.code.value}, {self.action}]"


class QualityReport(BaseModel):
    """Everything found while loading one or more files. `problems` lists at most `limit` entries
    (in file/line order); `counts` always counts them all."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: QualityPolicy
    files: tuple[str, ...]
    rows_read: int = Field(ge=0)
    rows_kept: int = Field(ge=0)
    symbols_rejected: tuple[str, ...] = ()
    counts: dict[str, int] = Field(default_factory=dict, description="Problems by code.")
    problems: tuple[Problem, ...] = ()
    problems_omitted: int = Field(default=0, ge=0)

    @property
    def ok(self) -> bool:
        """True when nothing at all was found (not even a dropped row outside the range)."""
        return not self.counts

    def summary(self, max_lines: int = 10) -> str:
        head = f"{self.rows_kept} of {self.rows_read} rows kept ({self.policy})"
        if self.symbols_rejected:
            head += f"; rejected symbols: {', '.join(self.symbols_rejected[:20])}"
        lines = [head] + [p.describe() for p in self.problems[:max_lines]]
        more = len(self.problems) + self.problems_omitted - max_lines
        if more > 0:
            lines.append(f"... and {more} more problems")
        return "\n".join(lines)


def build_report(
    policy: QualityPolicy,
    files: Iterable[str],
    rows_read: int,
    rows_kept: int,
    issues: Iterable[Issue],
    rejected: Iterable[str] = (),
    limit: int = 1000,
) -> QualityReport:
    """Turn recorded issues into a report, listing at most `limit` of them."""
    ordered = sorted(issues, key=lambda i: (i.file, i.line if i.line is not None else -1, i.code))
    counts = Counter(i.code.value for i in ordered)
    shown = tuple(
        Problem(
            code=i.code, severity=i.severity, action=i.action, file=i.file, line=i.line,
            symbol=i.symbol, field=i.field, value=i.value, message=i.message,
        )
        for i in ordered[:limit]
    )
    return QualityReport(
        policy=policy,
        files=tuple(files),
        rows_read=rows_read,
        rows_kept=rows_kept,
        symbols_rejected=tuple(sorted(set(rejected))),
        counts=dict(sorted(counts.items())),
        problems=shown,
        problems_omitted=max(0, len(ordered) - limit),
    )


class DataSourceError(QuantflowError):
    """A data source cannot serve a request: unreadable file, missing column, unknown symbol."""


class DataQualityError(DataSourceError):
    """Data was rejected under the strict policy; `report` names every problem (file, line)."""

    def __init__(self, message: str, report: QualityReport) -> None:
        super().__init__(f"{message}\n{report.summary()}")
        self.report = report
