"""`SeriesPanel` as the plain `Mapping` of arrays the port semantics promise."""

from __future__ import annotations

import numpy as np
from quantflow.nodes.panel import Layout, SeriesPanel


def _series() -> SeriesPanel:
    return SeriesPanel(Layout.of(["A", "B", "C"]), np.array([1.0, 2.0, 3.0]), np.array([0, 2, 2, 3]))


def test_series_panel_reads_its_flat_column() -> None:
    series = _series()
    assert series.flat.tolist() == [1.0, 2.0, 3.0]
    assert {k: v.tolist() for k, v in series.items()} == {"A": [1.0, 2.0], "B": [], "C": [3.0]}


def test_series_panel_values_is_the_mapping_method() -> None:
    assert [v.tolist() for v in _series().values()] == [[1.0, 2.0], [], [3.0]]


def test_panel_ends_counts_the_bars_up_to_any_cutoff_in_any_order() -> None:
    """`Panel.ends` steps from its previous answer when the cutoff moves a little forward, and
    searches otherwise: both give, per row, the bars with time <= cutoff."""
    from quantflow.data.bars import FIELDS, Bars
    from quantflow.nodes.panel import Panel

    rng = np.random.default_rng(7)

    def bars(symbol: str, n: int) -> Bars:
        days = np.sort(rng.choice(np.arange(400), size=n, replace=False)).astype("datetime64[D]").astype("datetime64[ns]")
        return Bars(symbol, days, *(rng.random(n) * 100 for _ in FIELDS))

    rows = [bars(f"S{i}", int(rng.integers(0, 300))) for i in range(30)]
    panel = Panel(rows)
    cutoffs = [*range(-5, 420), *rng.integers(-5, 420, 200).tolist(), *range(0, 420, 70)]
    for day in cutoffs:
        cutoff = np.datetime64(int(day), "D").astype("datetime64[ns]")
        expected = [int((b.time <= cutoff).sum()) for b in rows]
        assert panel.ends(cutoff).tolist() == expected


def test_panel_bars_are_the_flat_columns_sliced_whatever_the_dtypes() -> None:
    """`Panel.bars` serves views of each symbol's own bars; with mixed dtypes (where the flat
    columns upcast) it serves slices of the flat columns, so both give what the columns hold."""
    from quantflow.data.bars import FIELDS, Bars
    from quantflow.nodes.panel import Panel

    def bars(symbol: str, n: int, volume_dtype: str) -> Bars:
        days = np.arange(n).astype("datetime64[D]").astype("datetime64[ns]")
        prices = [np.arange(n, dtype=float) + k for k in range(4)]
        return Bars(symbol, days, *prices, np.arange(n).astype(volume_dtype))

    for dtypes in (("float64", "float64"), ("int64", "float64")):
        rows = [bars("A", 5, dtypes[0]), bars("B", 3, dtypes[1])]
        panel = Panel(rows)
        for row, (start, end) in ((0, (1, 4)), (1, (0, 3)), (1, (2, 2))):
            got = panel.bars(row, start, end)
            own = rows[row]  # what the slice must hold: the symbol's own bars, in the flat columns' dtype
            assert got.symbol == own.symbol and np.array_equal(got.time, own.time[start:end])
            for name in FIELDS:
                dtype = panel.columns[name].dtype
                assert np.array_equal(getattr(got, name), getattr(own, name)[start:end].astype(dtype))
                assert getattr(got, name).dtype == dtype
