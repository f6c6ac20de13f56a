"""Activated workflows: the scheduler fires schedule and bar-close triggers at their times, pins the
activated revision, never piles runs up, and resumes after a restart without replaying missed wakes.

Time is the scheduler's injected clock, moved by the tests; one test uses the real clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from quantflow.market.sessions import VN_TZ

from quantflow_server.auth.principal import Role

from .conftest import Api


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def scheduled(cron: str = "*/5 * * * *", tail: str = "core:log") -> dict[str, Any]:
    """schedule → log (or → constant → test:wait, a run that lasts until cancelled)."""
    nodes: list[dict[str, Any]] = [{"id": "every", "type": "core:schedule", "params": {"cron": cron}}]
    if tail == "core:log":
        nodes.append({"id": "say", "type": "core:log", "params": {"message": "woke {value}"}})
        edges = [{"source": "every", "source_port": "out", "target": "say", "target_port": "value"}]
    else:
        nodes += [{"id": "a", "type": "core:constant", "params": {"value": 1}}, {"id": "w", "type": "test:wait"}]
        edges = [
            {"source": "every", "source_port": "out", "target": "a", "target_port": "trigger"},
            {"source": "a", "source_port": "out", "target": "w", "target_port": "x"},
        ]
    return {"id": "sched", "name": "Scheduled", "nodes": nodes, "edges": edges}


def _create(api: Api, headers: dict[str, str], document: dict[str, Any]) -> str:
    response = api.client.post("/api/workflows", json={"document": document}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def _activate(api: Api, headers: dict[str, str], wid: str, **body: Any) -> dict[str, Any]:
    response = api.client.put(f"/api/workflows/{wid}/activation", json={"enabled": True, **body}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _runs(api: Api, headers: dict[str, str], wid: str) -> list[dict[str, Any]]:
    return api.client.get("/api/runs", params={"workflow_id": wid}, headers=headers).json()  # type: ignore[no-any-return]


def _move(api: Api, clock: FakeClock, to: datetime) -> None:
    clock.now = to
    with api.client.portal() as portal:
        portal.call(api.client.app.state.scheduler.recheck)


def _wait_for(what: str, condition: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _next_wake(api: Api, headers: dict[str, str], wid: str, node: str = "every") -> str | None:
    activation = api.client.get(f"/api/workflows/{wid}/activation", headers=headers).json()
    return next(t["next_wake_at"] for t in activation["triggers"] if t["node_id"] == node)  # type: ignore[no-any-return]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(vn(2025, 3, 3, 9, 0))  # a Monday, a trading day


def test_an_activated_workflow_runs_at_each_scheduled_time(settings, open_api, clock) -> None:
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled())
        activation = _activate(api, headers, wid)
        assert activation["enabled"] and activation["revision"] == 1
        assert activation["triggers"] == [
            {"node_id": "every", "type": "core:schedule", "kind": "schedule", "next_wake_at": "2025-03-03T02:05:00Z"}
        ]
        _move(api, clock, vn(2025, 3, 3, 9, 5))
        (run,) = _wait_for("the 09:05 run", lambda: _runs(api, headers, wid))
        finished = api.wait_run(run["id"], headers)
        assert finished["mode"] == "scheduled" and finished["status"] == "succeeded" and finished["revision"] == 1
        events = api.client.get(f"/api/runs/{run['id']}/events", headers=headers).json()
        log = next(e for e in events if e["event"] == "log")
        assert "2025-03-03T09:05:00+07:00" in log["message"] and "'woken_by': 'schedule'" in log["message"]
        assert _next_wake(api, headers, wid) == "2025-03-03T02:10:00Z"
        _move(api, clock, vn(2025, 3, 3, 9, 10))
        _wait_for("the 09:10 run", lambda: len(_runs(api, headers, wid)) == 2)
        shown = api.client.get(f"/api/workflows/{wid}/activation", headers=headers).json()
        assert shown["last_fired_at"] == "2025-03-03T02:10:00Z"


def test_the_activated_revision_stays_pinned_until_activated_again(settings, open_api, clock) -> None:
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled())
        _activate(api, headers, wid)
        changed = scheduled("*/15 * * * *")
        body = {"document": changed, "base_revision": 1}
        response = api.client.put(f"/api/workflows/{wid}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert _next_wake(api, headers, wid) == "2025-03-03T02:05:00Z"  # still revision 1's */5
        assert _activate(api, headers, wid)["revision"] == 2
        assert _next_wake(api, headers, wid) == "2025-03-03T02:15:00Z"


def test_after_a_restart_activations_resume_and_missed_wakes_are_not_replayed(settings, open_api, clock) -> None:
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled())
        _activate(api, headers, wid)
    clock.now = vn(2025, 3, 3, 10, 2)  # the server was down through twelve wakes
    with open_api(settings, clock=clock) as api:
        headers = api.login("alice")
        assert _next_wake(api, headers, wid) == "2025-03-03T03:05:00Z"
        assert _runs(api, headers, wid) == []
        _move(api, clock, vn(2025, 3, 3, 10, 5))
        (run,) = _wait_for("the first wake after the restart", lambda: _runs(api, headers, wid))
        assert api.wait_run(run["id"], headers)["status"] == "succeeded"


def test_a_wake_is_skipped_while_the_previous_scheduled_run_still_goes(settings, open_api, clock) -> None:
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled(tail="test:wait"))
        _activate(api, headers, wid)
        _move(api, clock, vn(2025, 3, 3, 9, 5))
        (run,) = _wait_for("the first run", lambda: _runs(api, headers, wid))
        _move(api, clock, vn(2025, 3, 3, 9, 10))
        _wait_for("the 09:10 wake to be handled", lambda: _next_wake(api, headers, wid) == "2025-03-03T02:15:00Z")
        assert [r["id"] for r in _runs(api, headers, wid)] == [run["id"]]
        assert api.client.post(f"/api/runs/{run['id']}/cancel", headers=headers).status_code in (200, 202)
        assert api.wait_run(run["id"], headers)["status"] == "cancelled"


def test_deactivating_stops_the_schedule(settings, open_api, clock) -> None:
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled())
        _activate(api, headers, wid)
        response = api.client.put(f"/api/workflows/{wid}/activation", json={"enabled": False}, headers=headers)
        assert response.status_code == 200 and response.json()["enabled"] is False
        assert api.client.get("/api/activations", headers=headers).json() == []
        clock.now = vn(2025, 3, 3, 9, 5)
        with api.client.portal() as portal:
            assert portal.call(api.client.app.state.scheduler.fire_due, clock.now) == []
        assert _runs(api, headers, wid) == []


def test_deleting_an_activated_workflow_stops_it(settings, open_api, clock) -> None:
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled())
        _activate(api, headers, wid)
        assert api.client.delete(f"/api/workflows/{wid}", headers=headers).status_code == 204
        clock.now = vn(2025, 3, 3, 9, 5)
        with api.client.portal() as portal:
            assert portal.call(api.client.app.state.scheduler.fire_due, clock.now) == []
        assert api.client.get("/api/activations", headers=headers).json() == []


def test_deleting_an_activated_workflow_takes_it_off_the_schedule_at_once(settings, open_api, clock) -> None:
    """Not only skipped when it comes due: the scheduler no longer plans a wake for it."""
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled())
        _activate(api, headers, wid)
        assert wid in api.client.app.state.scheduler.planned
        assert api.client.delete(f"/api/workflows/{wid}", headers=headers).status_code == 204
        assert wid not in api.client.app.state.scheduler.planned


def test_a_bar_close_trigger_fires_when_the_bar_closes(settings, open_api, clock) -> None:
    document = {
        "id": "bars",
        "name": "Bars",
        "nodes": [
            {"id": "closed", "type": "core:on_bar_close", "params": {"resolution": "1H"}},
            {"id": "say", "type": "core:log", "params": {"message": "bar {value}"}},
        ],
        "edges": [{"source": "closed", "source_port": "out", "target": "say", "target_port": "value"}],
    }
    clock.now = vn(2025, 3, 3, 11, 10)
    with open_api(settings, clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, document)
        assert _activate(api, headers, wid)["triggers"][0]["next_wake_at"] == "2025-03-03T04:30:00Z"  # 11:30, lunch
        _move(api, clock, vn(2025, 3, 3, 11, 30))
        (run,) = _wait_for("the 11:30 bar close", lambda: _runs(api, headers, wid))
        assert api.wait_run(run["id"], headers)["status"] == "succeeded"
        assert _next_wake(api, headers, wid, "closed") == "2025-03-03T07:00:00Z"  # 14:00, after lunch


def test_what_cannot_be_activated_is_refused_by_field(settings, open_api, clock, hello) -> None:
    with open_api(settings, clock=clock) as api:
        alice = api.add_user("alice")
        manual_only = _create(api, alice, hello)
        response = api.client.put(f"/api/workflows/{manual_only}/activation", json={"enabled": True}, headers=alice)
        assert response.status_code == 422
        body = response.json()
        assert "no schedule or on-bar-close trigger" in body["detail"] and body["errors"][0]["field"] == "revision"
        draft = api.client.post("/api/workflows", json={"document": scheduled(), "draft": True}, headers=alice).json()
        refused = api.client.put(f"/api/workflows/{draft['id']}/activation", json={"enabled": True}, headers=alice)
        assert refused.status_code == 422 and refused.json()["errors"] == [{"field": "revision", "message": "draft"}]
        wid = _create(api, alice, scheduled())
        for bad in ({"enabled": "sometimes"}, {"enabled": True, "revision": 0}, {"enabled": True, "extra": 1}, {}):
            assert api.client.put(f"/api/workflows/{wid}/activation", json=bad, headers=alice).status_code in (400, 422)
        url, on = f"/api/workflows/{wid}/activation", {"enabled": True}
        assert api.client.put(url, json={"enabled": True, "revision": 9}, headers=alice).status_code == 404
        bob = api.add_user("bob")
        assert api.client.put(url, json=on, headers=bob).status_code == 404
        assert api.client.get(url, headers=bob).status_code == 404
        viewer = api.add_user("vera", Role.VIEWER)
        assert api.client.put(url, json=on, headers=viewer).status_code == 403
        assert api.client.get("/api/activations", headers=alice).json() == []


def test_the_real_clock_wakes_the_scheduler(settings, open_api) -> None:
    """No moved time here: the loop sleeps until the next minute (shifted to be a second away)."""
    real = datetime.now(UTC)
    shift = (real.replace(second=0, microsecond=0) + timedelta(minutes=1)) - real - timedelta(seconds=1)
    with open_api(settings, clock=lambda: datetime.now(UTC) + shift) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, scheduled("* * * * *"))
        _activate(api, headers, wid)
        (run,) = _wait_for("the next minute's run", lambda: _runs(api, headers, wid), timeout=20)
        assert api.wait_run(run["id"], headers)["status"] == "succeeded"


def test_scheduled_runs_read_the_operators_market_data(settings, open_api, clock, tmp_path) -> None:
    """With QUANTFLOW_MARKET_DATA_DIR set, a scheduled screen's bars node reads it (up to now)."""
    market = tmp_path / "market"
    market.mkdir()
    (market / "HPG.csv").write_text(
        "date,open,high,low,close,volume\n2025-02-27,26000,26500,25900,26400,1000000\n"
        "2025-02-28,26400,26800,26300,26700,1200000\n"
    )
    document = {
        "id": "screen",
        "name": "Screen",
        "nodes": [
            {"id": "every", "type": "core:schedule", "params": {"cron": "*/5 * * * *"}},
            {"id": "bars", "type": "core:bars", "params": {"symbols": ["HPG"], "lookback": 5}},
            {"id": "say", "type": "core:log", "params": {"message": "bars {value}"}},
        ],
        "edges": [
            {"source": "every", "source_port": "out", "target": "bars", "target_port": "trigger"},
            {"source": "bars", "source_port": "frame", "target": "say", "target_port": "value"},
        ],
    }
    with open_api(settings.model_copy(update={"market_data_dir": market}), clock=clock) as api:
        headers = api.add_user("alice")
        wid = _create(api, headers, document)
        _activate(api, headers, wid)
        _move(api, clock, vn(2025, 3, 3, 9, 5))
        (run,) = _wait_for("the screen's run", lambda: _runs(api, headers, wid))
        finished = api.wait_run(run["id"], headers)
        assert finished["status"] == "succeeded", finished
        events = api.client.get(f"/api/runs/{run['id']}/events", headers=headers).json()
        assert "HPG" in next(e for e in events if e["event"] == "log")["message"]
