"""Read a daily-bar Parquet file into a `RawTable`. Needs the optional `pyarrow`
(`pip install 'quantflow[parquet]'`), imported only when a Parquet file is actually read.

Columns are found by the same `ColumnMap` as CSV. The date column may be a date, a timestamp at
midnight, or a string in `date_format`. Nulls become problems like unparseable CSV fields; the
"line" of a Parquet row is its 1-based row number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from quantflow.data.layout import Layout
from quantflow.data.quality import DataSourceError, Issue, ProblemCode
from quantflow.data.table import NUMBER_FIELDS, RawTable, date_issue, parse_dates


def _pyarrow() -> Any:
    try:
        # pyarrow ships no type information (no py.typed, no maintained stubs); used as Any here.
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as exc:
        raise DataSourceError(
            "reading Parquet needs pyarrow, which is optional: pip install 'quantflow[parquet]'"
        ) from exc
    return pq


def pa_errors() -> Any:
    import pyarrow as pa

    return pa


def read_parquet_table(path: Path, layout: Layout) -> RawTable:
    pq = _pyarrow()
    wanted = layout.columns.fields()
    try:
        schema_names = pq.read_schema(path).names
    except Exception as exc:
        raise DataSourceError(f"{path}: cannot read Parquet: {exc}") from exc
    missing = [f"{f} (column {c!r})" for f, c in wanted.items() if c not in schema_names]
    if missing:
        raise DataSourceError(f"{path}: missing {', '.join(missing)}; columns are {schema_names}")
    table = pq.read_table(path, columns=list(dict.fromkeys(wanted.values())))
    n = table.num_rows
    file = str(path)
    line = np.arange(1, n + 1, dtype=np.int64)
    bad = np.zeros(n, bool)
    issues: list[Issue] = []
    numbers: dict[str, np.ndarray] = {}
    for f in NUMBER_FIELDS:
        column = table.column(wanted[f])
        try:
            values = column.cast("float64").to_numpy(zero_copy_only=False)
        except (pa_errors().ArrowInvalid, pa_errors().ArrowNotImplementedError):  # not numeric
            raise DataSourceError(f"{path}: column {wanted[f]!r} ({f}) is {column.type}, "
                                  "not numeric") from None
        values = np.where(np.asarray(column.is_null().to_numpy(zero_copy_only=False)), np.nan, values)
        for i in np.flatnonzero(np.asarray(column.is_null().to_numpy(zero_copy_only=False))):
            issues.append(Issue(ProblemCode.BAD_NUMBER, file, int(line[i]), None, f, None,
                                f"{f} is null", "error", "dropped"))
            bad[i] = True
        numbers[f] = values.astype(np.float64)
    days, ok = _dates(table.column(wanted["date"]), layout.date_format)
    for i in np.flatnonzero(~ok):
        issues.append(date_issue(file, int(line[i]), "null or not a session date",
                                 layout.date_format))
    symbol = None
    if "symbol" in wanted:
        symbol = np.array(
            [s if s is not None else "" for s in table.column(wanted["symbol"]).to_pylist()], "U64"
        )
    return RawTable(file, line, days, numbers, symbol, bad | ~ok, issues)


def _dates(column: Any, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return parse_dates(np.array([s or "" for s in column.to_pylist()], dtype=str), fmt)
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        if pa.types.is_timestamp(kind) and kind.tz is not None:
            raise DataSourceError(
                f"date column is a timezone-aware timestamp ({kind}); store session dates as "
                "date32 or naive midnight timestamps so the session day is unambiguous"
            )
        raw = column.to_numpy(zero_copy_only=False)
        stamps = raw.astype("datetime64[ns]")
        days = stamps.astype("datetime64[D]")
        ok = ~np.isnat(stamps) & (stamps == days.astype("datetime64[ns]"))
        return days, ok
    raise DataSourceError(f"date column has type {kind}; expected a date, timestamp or string")
