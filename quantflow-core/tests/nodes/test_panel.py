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
