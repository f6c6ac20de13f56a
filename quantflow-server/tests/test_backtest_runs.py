"""Backtest and paper runs: synthetic data labelled, results as JSON and HTML, orders in the ledger."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quantflow_server.auth.principal import Role

from .conftest import REPO

PERIOD = {"start": "2024-01-02", "end": "2024-06-28", "symbols": ["SYNA", "SYNB"]}


@pytest.fixture
def sma() -> dict[str, Any]:
    return json.loads((REPO / "examples" / "workflows" / "sma_crossover.json").read_text())


def _start(api, headers, document, **body) -> tuple[str, dict[str, Any]]:
    wid = api.client.post("/api/workflows", json={"document": document}, headers=headers).json()["id"]
    response = api.client.post(f"/api/workflows/{wid}/runs", json=body, headers=headers)
    return wid, response.json() if response.status_code == 201 else {
        "status_code": response.status_code,
        **response.json(),
    }


@pytest.mark.parametrize("mode", ["backtest", "paper"])
def test_a_run_over_the_synthetic_market_is_labelled_and_reported(api, sma, mode) -> None:
    alice = api.add_user("alice")
    root = api.add_user("root", Role.ADMIN)
    _, run = _start(api, alice, sma, mode=mode, **PERIOD)
    finished = api.wait_run(run["id"], alice, timeout=120)
    assert finished["status"] == "succeeded", finished
    assert finished["mode"] == mode and finished["summary"]["synthetic"] is True
    assert "synthetic" in finished["summary"]["data"]
    result = api.client.get(f"/api/runs/{run['id']}/result", headers=alice)
    assert result.status_code == 200 and result.headers["x-quantflow-synthetic-data"] == "true"
    body = result.json()
    assert set(body["symbols"]) == {"SYNA", "SYNB"} and len(body["orders"]) == finished["summary"]["orders"] > 0
    report = api.client.get(f"/api/runs/{run['id']}/report", headers=alice)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "SYNTHETIC" in report.text and "<script src" not in report.text
    events = api.client.get(f"/api/runs/{run['id']}/events", headers=alice).json()
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished" and "progress" in kinds
    assert kinds.count("order_placed") == len(body["orders"])
    ledger = api.client.get("/api/audit/entries?action=order_placed&limit=1000", headers=root).json()
    assert len(ledger) == len(body["orders"]) and all(e["actor"] == "alice" for e in ledger)
    assert api.client.get("/api/audit/verify", headers=root).json()["ok"]


def test_results_are_private_and_only_for_backtests(api, sma, hello) -> None:
    alice, bob = api.add_user("alice"), api.add_user("bob")
    _, run = _start(api, alice, sma, mode="backtest", **PERIOD)
    api.wait_run(run["id"], alice, timeout=120)
    assert api.client.get(f"/api/runs/{run['id']}/result", headers=bob).status_code == 404
    assert api.client.get(f"/api/runs/{run['id']}/report", headers=bob).status_code == 404
    _, manual = _start(api, alice, hello)
    api.wait_run(manual["id"], alice)
    assert api.client.get(f"/api/runs/{manual['id']}/result", headers=alice).status_code == 404


def test_backtest_requests_are_checked(api, sma) -> None:
    alice = api.add_user("alice")
    _, missing = _start(api, alice, sma, mode="backtest")
    assert missing["status_code"] == 422 and missing["errors"][0]["field"] == "start"
    _, backwards = _start(api, alice, sma, mode="backtest", start="2024-06-01", end="2024-01-01")
    assert backwards["status_code"] == 422
    _, bad_symbol = _start(api, alice, sma, mode="backtest", start="2024-01-02", end="2024-02-01", symbols=["x y"])
    assert bad_symbol["status_code"] == 400
    _, paced_backtest = _start(api, alice, sma, mode="backtest", pace_ms=10, **PERIOD)
    assert paced_backtest["status_code"] == 422 and paced_backtest["errors"][0]["field"] == "pace_ms"


def test_a_paced_paper_run_reports_every_session_as_it_goes(api, sma) -> None:
    alice = api.add_user("alice")
    _, paced = _start(api, alice, sma, mode="paper", pace_ms=1, **PERIOD)
    _, unpaced = _start(api, alice, sma, mode="paper", **PERIOD)
    progress = {}
    for name, run in (("paced", paced), ("unpaced", unpaced)):
        assert api.wait_run(run["id"], alice, timeout=120)["status"] == "succeeded"
        events = api.client.get(f"/api/runs/{run['id']}/events", headers=alice).json()
        progress[name] = [e["sessions_done"] for e in events if e["event"] == "progress"]
    sessions = progress["unpaced"][-1]
    assert progress["paced"] == list(range(1, sessions + 1)) and len(progress["unpaced"]) < sessions


def test_a_workflow_that_cannot_be_backtested_fails_with_the_reason(api, hello) -> None:
    alice = api.add_user("alice")
    _, run = _start(api, alice, hello, mode="backtest", fast=True, **PERIOD)
    finished = api.wait_run(run["id"], alice, timeout=60)
    assert finished["status"] == "failed" and "fast path" in finished["error"]
