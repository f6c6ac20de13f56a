"""Quality rules on small hand-made files: every problem named with its line, strict vs repair."""

from __future__ import annotations

import gzip
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from quantflow.data import (
    DataQualityError,
    DataSourceError,
    DirectoryConfig,
    DirectorySource,
)
from quantflow.data.quality import ProblemCode as P

HEADER = "date,open,high,low,close,volume"
# Five consecutive trading days (Mon 2024-03-04 .. Fri 2024-03-08).
DAYS = ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08"]


def _write(tmp: Path, lines: list[str], name: str = "TST.csv") -> Path:
    path = tmp / name
    text = "\n".join([HEADER, *lines]) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    return path


def _source(path: Path, policy: str = "strict", **extra: object) -> DirectorySource:
    return DirectorySource(DirectoryConfig(path=path, policy=policy, **extra))


def _codes(report) -> list[tuple[int | None, P]]:
    return [(p.line, p.code) for p in report.problems]


def test_clean_file_passes_strict_and_converts_thousands(tmp_path: Path) -> None:
    path = _write(tmp_path, [f"{d},26.85,27.1,26.5,26.95,1000" for d in DAYS], "TST.csv.gz")
    source = DirectorySource(DirectoryConfig(path=path, preset="vci"))
    bars = source.read("TST")
    assert bars.close.tolist() == [26950] * 5 and bars.open.tolist() == [26850] * 5
    assert source.report().ok


def test_each_problem_is_named_with_its_line(tmp_path: Path) -> None:
    lines = [
        "2024-03-04,100,110,90,105,10",  # line 2 ok
        "2024-03-06,100,110,90,105,10",  # line 3 ok
        "2024-03-05,100,110,90,105,10",  # line 4 unsorted
        "2024-03-06,100,110,90,105,10",  # line 5 exact duplicate of line 3
        "2024-03-07,nan,110,90,105,10",  # line 6 NaN open
        "2024-03-08,100,90,110,100,10",  # line 7 high below low
        "2024-03-09,100,110,90,105,10",  # line 8 Saturday
        "2024-03-11,-5,110,90,105,10",  # line 9 negative price
        "2024-03-12,100,110,90,105",  # line 10 malformed
        "2024-03-13,100,110,90,105,abc",  # line 11 bad number
        "13/03/2024,100,110,90,105,10",  # line 12 bad date
        "2024-03-14,100.5,110,90,105,10",  # line 13 fractional VND
        "2024-03-15,120,110,90,105,10",  # line 14 open above high
        "2024-03-18,100,110,90,105,-1",  # line 15 negative volume
    ]
    path = _write(tmp_path, lines)
    with pytest.raises(DataQualityError) as caught:
        _source(path).read("TST")
    found = set(_codes(caught.value.report))
    assert {
        (4, P.UNSORTED), (5, P.DUPLICATE), (6, P.NON_FINITE), (7, P.HIGH_BELOW_LOW),
        (8, P.NOT_TRADING_DAY), (9, P.NON_POSITIVE_PRICE), (10, P.MALFORMED_ROW),
        (11, P.BAD_NUMBER), (12, P.BAD_DATE), (13, P.FRACTIONAL), (14, P.OHLC_INCONSISTENT),
        (15, P.NEGATIVE_VOLUME),
    } <= found
    assert all(p.file == str(path) and p.action == "rejected" for p in caught.value.report.problems)

    repaired = _source(path, "repair")
    bars = repaired.read("TST")
    days = bars.time.astype("datetime64[D]").astype(str).tolist()
    assert days == ["2024-03-04", "2024-03-05", "2024-03-06"]  # sorted, deduplicated, bad dropped
    report = repaired.report()
    actions = {(p.line, p.code): p.action for p in report.problems}
    assert actions[(4, P.UNSORTED)] == "reordered" and actions[(5, P.DUPLICATE)] == "dropped"
    assert actions[(6, P.NON_FINITE)] == "dropped"
    assert report.rows_kept == 3 and report.symbols_rejected == ()


def test_conflicting_duplicates_drop_every_copy_and_gaps_are_kept(tmp_path: Path) -> None:
    lines = [
        "2024-03-04,100,110,90,105,10",
        "2024-03-05,100,110,90,105,10",
        "2024-03-05,100,110,90,106,10",  # same day, other close: nobody knows which is right
        "2024-03-08,100,110,90,105,10",  # 03-06 and 03-07 are missing
    ]
    source = _source(_write(tmp_path, lines), "repair")
    bars = source.read("TST")
    assert bars.time.astype("datetime64[D]").astype(str).tolist() == ["2024-03-04", "2024-03-08"]
    problems = source.report().problems
    assert {(p.line, p.code, p.action) for p in problems} == {
        (3, P.CONFLICTING_DUPLICATE, "dropped"), (4, P.CONFLICTING_DUPLICATE, "dropped"),
        (5, P.MISSING_DAYS, "kept"),
    }
    gap = next(p for p in problems if p.code is P.MISSING_DAYS)
    assert "3 trading day(s) missing" in gap.message and "2024-03-05 .. 2024-03-07" in gap.message


def test_missing_days_reject_under_strict_unless_calendar_check_is_off(tmp_path: Path) -> None:
    path = _write(tmp_path, ["2024-03-04,100,110,90,105,10", "2024-03-06,100,110,90,105,10"])
    with pytest.raises(DataQualityError, match="missing"):
        _source(path).read("TST")
    assert len(_source(path, check_calendar=False).read("TST")) == 2


def test_start_and_end_cut_rows_and_report_them(tmp_path: Path) -> None:
    path = _write(tmp_path, [f"{d},100,110,90,105,10" for d in DAYS])
    source = _source(path, start=date(2024, 3, 5), end=date(2024, 3, 7))
    assert len(source.read("TST")) == 3
    assert [(p.line, p.code, p.severity) for p in source.report().problems] == [
        (2, P.OUTSIDE_RANGE, "info"), (6, P.OUTSIDE_RANGE, "info"),
    ]


def test_long_file_rejects_only_the_bad_symbol(tmp_path: Path) -> None:
    path = tmp_path / "all.csv"
    rows = [f"AAA,{d},100,110,90,105,10" for d in DAYS] + [f"BBB,{d},100,110,90,105,10" for d in DAYS]
    rows[7] = "BBB,2024-03-06,0,110,90,105,10"
    path.write_text("symbol,date,open,high,low,close,volume\n" + "\n".join(rows) + "\n")
    source = DirectorySource(DirectoryConfig(path=path, preset="vci_long"))
    assert source.symbols() == ["AAA", "BBB"]
    assert len(source.read("AAA")) == 5
    with pytest.raises(DataQualityError) as caught:
        source.read("BBB")
    assert [(p.line, p.symbol, p.code) for p in caught.value.report.problems] == [
        (9, "BBB", P.NON_POSITIVE_PRICE), (10, "BBB", P.MISSING_DAYS),  # the gap it leaves
    ]


def test_quoted_fields_take_the_exact_path_with_the_same_result(tmp_path: Path) -> None:
    plain = _write(tmp_path, [f"{d},100,110,90,105,10" for d in DAYS], "PLN.csv")
    quoted = _write(tmp_path, [f'"{d}","100",110,90,105,10' for d in DAYS], "QTD.csv")
    a, b = _source(plain).read("PLN"), _source(quoted).read("QTD")
    assert np.array_equal(a.time, b.time) and np.array_equal(a.close, b.close)


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({
        "date": pa.array([date.fromisoformat(d) for d in DAYS], pa.date32()),
        "open": [26.85, 26.9, None, 27.0, 27.1], "high": [27.5] * 5, "low": [26.5] * 5,
        "close": [27.0] * 5, "volume": [100] * 5,
    })
    pq.write_table(table, tmp_path / "PQT.parquet")
    source = DirectorySource(DirectoryConfig(path=tmp_path, preset="vci", policy="repair"))
    bars = source.read("PQT")
    assert bars.open.tolist() == [26850, 26900, 27000, 27100]
    assert [(p.line, p.code, p.field) for p in source.report().problems] == [
        (3, P.BAD_NUMBER, "open"), (4, P.MISSING_DAYS, "date"),  # Parquet: 1-based row numbers
    ]


def test_parquet_without_pyarrow_says_how_to_install(monkeypatch, tmp_path: Path) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: object, **kwargs: object):
        if name.startswith("pyarrow"):
            raise ImportError("no pyarrow here")
        return real_import(name, *args, **kwargs)

    (tmp_path / "X.parquet").write_bytes(b"PAR1")
    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(DataSourceError, match=r"quantflow\[parquet\]"):
        DirectorySource(DirectoryConfig(path=tmp_path)).read("X")


# -- property: random rows never crash the loader, and each injected problem is reported ----------

_ROW_KINDS = ["ok", "nan", "negative", "zero", "high_low", "garbage", "short", "fraction"]


@st.composite
def messy_files(draw: st.DrawFn) -> tuple[list[str], dict[int, set[P]]]:
    n = draw(st.integers(1, 25))
    days = draw(st.lists(st.sampled_from(DAYS * 2 + ["2024-03-11", "2024-03-12"]), min_size=n,
                         max_size=n))
    lines, expected = [], {}
    for i, day in enumerate(days):
        kind = draw(st.sampled_from(_ROW_KINDS))
        price = draw(st.integers(1, 200_000))
        o, h, lo, c, v = price, price + 100, max(1, price - 100), price, draw(st.integers(0, 10**7))
        fields: list[object] = [day, o, h, lo, c, v]
        line = i + 2
        codes = {
            "nan": (4, "nan", P.NON_FINITE), "negative": (1, -price, P.NON_POSITIVE_PRICE),
            "zero": (3, 0, P.NON_POSITIVE_PRICE), "garbage": (5, "x1", P.BAD_NUMBER),
            "fraction": (1, price + 0.25, P.FRACTIONAL),
        }
        if kind in codes:
            index, value, code = codes[kind]
            fields[index] = value
            expected[line] = {code}
        elif kind == "high_low":
            fields[2], fields[3] = lo, h + 1
            expected[line] = {P.HIGH_BELOW_LOW}
        elif kind == "short":
            fields = fields[:4]
            expected[line] = {P.MALFORMED_ROW}
        lines.append(",".join(str(f) for f in fields))
    return lines, expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=messy_files(), policy=st.sampled_from(["strict", "repair"]))
def test_random_rows_every_problem_reported(tmp_path: Path, case, policy: str) -> None:
    lines, expected = case
    path = _write(tmp_path, lines)
    source = _source(path, policy, report_limit=10_000)
    try:
        bars = source.read("TST")
    except DataQualityError as exc:
        assert policy == "strict"
        report = exc.report
    except DataSourceError as exc:  # nothing usable at all
        assert "no usable rows" in str(exc)
        report = source.report()
    else:
        report = source.report()
        assert np.all(np.diff(bars.time.astype(np.int64)) > 0)  # sorted, no duplicates
        assert np.all(bars.high >= bars.low) and np.all(bars.low > 0)
        assert all(math.isfinite(x) for x in bars.close.tolist())
        kept_days = set(bars.time.astype("datetime64[D]").astype(str).tolist())
        good_lines = [s for i, s in enumerate(lines) if i + 2 not in expected]
        assert kept_days <= {s.split(",")[0] for s in good_lines}
    found: dict[int, set[P]] = {}
    for problem in report.problems:
        found.setdefault(problem.line, set()).add(problem.code)
        assert problem.file == str(path)
    for line, codes in expected.items():
        assert codes <= found.get(line, set()), (line, lines[line - 2], found.get(line))
    if policy == "strict" and (expected or report.counts):
        assert report.symbols_rejected == ("TST",)
