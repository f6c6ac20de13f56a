"""Unit behaviour of the cross-sectional and boolean logic nodes."""

from __future__ import annotations

import numpy as np
from quantflow.builtin.logic_nodes import RankParams, and_node, not_node, or_node, rank_node
from quantflow.data.bars import Bars
from quantflow.engine import RunContext

CTX = RunContext(run_id="t")


def bars(symbol: str, days: list[str]) -> Bars:
    time = np.array(days, dtype="datetime64[ns]")
    ones = np.ones(len(days))
    return Bars(symbol, time, ones, ones, ones, ones, ones)


def test_rank_picks_the_top_n_at_each_time_and_never_nan() -> None:
    frame = {
        "AAA": bars("AAA", ["2024-01-02", "2024-01-03", "2024-01-04"]),
        "BBB": bars("BBB", ["2024-01-02", "2024-01-03", "2024-01-04"]),
        "CCC": bars("CCC", ["2024-01-03", "2024-01-04"]),  # listed a day later
    }
    scores = {"AAA": np.array([3.0, 1.0, np.nan]), "BBB": np.array([2.0, 5.0, 1.0]), "CCC": np.array([4.0, 0.5])}
    out = rank_node.invoke(CTX, RankParams(top_n=1), {"frame": frame, "a": scores})["out"]
    assert out["AAA"].tolist() == [True, False, False]  # NaN on day 3 is never chosen
    assert out["BBB"].tolist() == [False, True, True]
    assert out["CCC"].tolist() == [False, False]
    lowest = rank_node.invoke(CTX, RankParams(top_n=2, order="lowest"), {"frame": frame, "a": scores})["out"]
    assert lowest["CCC"].tolist() == [True, True] and lowest["AAA"].tolist() == [True, True, False]


def test_rank_ties_keep_alphabetical_order() -> None:
    frame = {s: bars(s, ["2024-01-02"]) for s in ("BBB", "AAA")}
    out = rank_node.invoke(CTX, RankParams(top_n=1), {"frame": frame, "a": {"AAA": np.array([1.0]), "BBB": np.array([1.0])}})["out"]
    assert out["AAA"].tolist() == [True] and out["BBB"].tolist() == [False]


def test_boolean_combinators() -> None:
    x = {"A": np.array([True, True, False]), "B": np.array([False, True, True])}
    y = {"A": np.array([True, False, False]), "B": np.array([True, True, True])}
    assert and_node.invoke(CTX, and_node.params_model(), {"conditions": [x, y]})["out"]["A"].tolist() == [True, False, False]
    assert or_node.invoke(CTX, or_node.params_model(), {"conditions": [x, y]})["out"]["B"].tolist() == [True, True, True]
    assert not_node.invoke(CTX, not_node.params_model(), {"condition": x})["out"]["A"].tolist() == [False, False, True]
