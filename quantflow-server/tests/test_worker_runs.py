"""Backtest and paper runs compute in worker processes: cancel stops the process, a dying worker
fails the run with the reason, runs beyond the worker limit wait queued, shutdown stops workers."""

from __future__ import annotations

import json
import os
import signal
import time
from multiprocessing.process import BaseProcess
from typing import Any

import pytest

from .conftest import REPO

# Paced: ~2,200 sessions at 50 ms each outlast every test, however fast the computing gets.
LONG = {"mode": "paper", "start": "2019-06-03", "end": "2027-12-30", "symbols": ["SYNA", "SYNB"], "pace_ms": 50}


@pytest.fixture
def sma() -> dict[str, Any]:
    return json.loads((REPO / "examples" / "workflows" / "sma_crossover.json").read_text())


def _start(api, headers, document) -> str:
    wid = api.client.post("/api/workflows", json={"document": document}, headers=headers).json()["id"]
    response = api.client.post(f"/api/workflows/{wid}/runs", json=LONG, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def _events(api, headers, run_id) -> list[dict[str, Any]]:
    return api.client.get(f"/api/runs/{run_id}/events", headers=headers).json()  # type: ignore[no-any-return]


def _computing(api, headers, run_id) -> BaseProcess:
    """The run's worker process, once the run has reported progress from it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        kinds = {e["event"] for e in _events(api, headers, run_id)}
        assert "run_finished" not in kinds, api.client.get(f"/api/runs/{run_id}", headers=headers).json()
        if "progress" in kinds:
            return api.client.app.state.runs.pool.processes[run_id]  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never reported progress: {_events(api, headers, run_id)}")


def test_a_run_computes_in_another_process_and_cancel_stops_it(api, sma) -> None:
    alice = api.add_user("alice")
    run_id = _start(api, alice, sma)
    process = _computing(api, alice, run_id)
    assert process.pid != os.getpid() and process.is_alive()
    # It yields the CPU to the server: niceness raised by run_worker_nice (10 by default).
    assert os.getpriority(os.PRIO_PROCESS, process.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
    assert api.client.post(f"/api/runs/{run_id}/cancel", headers=alice).status_code == 202
    finished = api.wait_run(run_id, alice)
    assert finished["status"] == "cancelled" and not process.is_alive()
    assert _events(api, alice, run_id)[-1] == {**_events(api, alice, run_id)[-1], "status": "cancelled"}
    assert api.client.get(f"/api/runs/{run_id}/result", headers=alice).status_code == 404
    assert run_id not in api.client.app.state.runs.pool.processes


def test_a_worker_that_dies_fails_the_run_with_the_reason(api, sma) -> None:
    alice = api.add_user("alice")
    run_id = _start(api, alice, sma)
    process = _computing(api, alice, run_id)
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    finished = api.wait_run(run_id, alice)
    assert finished["status"] == "failed" and "killed by SIGKILL" in finished["error"]
    last = _events(api, alice, run_id)[-1]
    assert last["event"] == "run_finished" and last["status"] == "failed"


def test_runs_beyond_the_worker_limit_wait_queued(settings, open_api, sma) -> None:
    with open_api(settings.model_copy(update={"run_workers": 1})) as api:
        alice = api.add_user("alice")
        first = _start(api, alice, sma)
        _computing(api, alice, first)
        second = _start(api, alice, sma)
        assert api.client.get(f"/api/runs/{second}", headers=alice).json()["status"] == "queued"
        assert second not in api.client.app.state.runs.pool.processes
        assert api.client.post(f"/api/runs/{second}/cancel", headers=alice).status_code == 202
        cancelled = api.wait_run(second, alice)
        assert cancelled["status"] == "cancelled" and cancelled["started_at"] is None
        api.client.post(f"/api/runs/{first}/cancel", headers=alice)
        assert api.wait_run(first, alice)["status"] == "cancelled"


def test_stopping_the_server_stops_its_workers(settings, open_api, sma) -> None:
    with open_api(settings) as api:
        alice = api.add_user("alice")
        run_id = _start(api, alice, sma)
        process = _computing(api, alice, run_id)
    assert not process.is_alive()
    with open_api(settings) as api:
        alice = api.login("alice")
        assert api.client.get(f"/api/runs/{run_id}", headers=alice).json()["status"] == "interrupted"
