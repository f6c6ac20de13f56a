"""Runs: background execution, persisted events, websocket replay and live stream, cancel, restart."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlalchemy as sa
from litestar.exceptions import WebSocketDisconnect

from quantflow_server.auth.principal import Role
from quantflow_server.db.models import Run
from quantflow_server.runs import journal as journal_module
from quantflow_server.runs.replays import FinishedReplays

from .conftest import slow_workflow, ws_receive


def _workflow(api, headers, document) -> str:
    response = api.client.post("/api/workflows", json={"document": document}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def _start(api, headers, wid, **body) -> dict[str, Any]:
    response = api.client.post(f"/api/workflows/{wid}/runs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _wait_until_running(api, headers, run_id) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        events = api.client.get(f"/api/runs/{run_id}/events", headers=headers).json()
        if any(e["event"] == "node_started" and e["node_id"] == "w" for e in events):
            return
        time.sleep(0.02)
    raise AssertionError("the run never reached the waiting node")


def test_a_run_executes_in_the_background_and_persists_every_event(api, hello) -> None:
    headers = api.add_user("alice")
    run = _start(api, headers, _workflow(api, headers, hello))
    assert run["status"] in ("queued", "running") and run["mode"] == "manual"
    finished = api.wait_run(run["id"], headers)
    assert (
        finished["status"] == "succeeded"
        and finished["finished_at"]
        and finished["summary"]["states"]["say"] == "succeeded"
    )
    events = api.client.get(f"/api/runs/{run['id']}/events", headers=headers).json()
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert events[0]["event"] == "run_started" and events[-1]["event"] == "run_finished"
    assert {"event": "log", "message": "the answer is 42.0"}.items() <= next(
        e for e in events if e["event"] == "log"
    ).items()


def test_a_late_websocket_subscriber_gets_the_whole_run(api, hello) -> None:
    headers = api.add_user("alice")
    run = _start(api, headers, _workflow(api, headers, hello))
    api.wait_run(run["id"], headers)
    stored = api.client.get(f"/api/runs/{run['id']}/events", headers=headers).json()
    received = []
    with api.client.websocket_connect(f"/ws/runs/{run['id']}", headers=headers) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                received.extend(ws_receive(ws, "the replayed events and the close"))
    assert received == stored and closed.value.code == 1000


def test_a_replay_comes_in_frames_of_many_events(api, hello, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "CHUNK", 2)
    headers = api.add_user("alice")
    run = _start(api, headers, _workflow(api, headers, hello))
    api.wait_run(run["id"], headers)
    stored = api.client.get(f"/api/runs/{run['id']}/events", headers=headers).json()
    for source in ("kept journal", "database"):
        if source == "database":
            api.client.app.state.runs.replays = FinishedReplays()
        frames = []
        with api.client.websocket_connect(f"/ws/runs/{run['id']}", headers=headers) as ws:
            with pytest.raises(WebSocketDisconnect):
                while True:
                    frames.append(ws_receive(ws, "the replayed frames and the close"))
        assert [e for frame in frames for e in frame] == stored, source
        assert [len(f) for f in frames] == [2] * (len(stored) // 2) + [1] * (len(stored) % 2)


def test_websocket_replays_then_streams_live_and_cancel_stops_the_run(api) -> None:
    headers = api.add_user("alice")
    run = _start(api, headers, _workflow(api, headers, slow_workflow()))
    _wait_until_running(api, headers, run["id"])
    with api.client.websocket_connect(f"/ws/runs/{run['id']}", headers=headers) as ws:
        replayed = list(ws_receive(ws, "the first replayed events"))
        while replayed[-1] != {**replayed[-1], "event": "node_started", "node_id": "w"}:
            replayed.extend(ws_receive(ws, f"node_started of 'w' (replayed so far: {replayed})"))
        assert replayed[0]["event"] == "run_started"
        assert api.client.post(f"/api/runs/{run['id']}/cancel", headers=headers).status_code == 202
        live = []
        with pytest.raises(WebSocketDisconnect):
            while True:
                live.extend(ws_receive(ws, f"the live events after cancel (so far: {live})"))
    assert live[-1]["event"] == "run_finished" and live[-1]["status"] == "cancelled"
    assert [e["seq"] for e in replayed + live] == list(range(len(replayed) + len(live)))
    assert api.wait_run(run["id"], headers)["status"] == "cancelled"
    assert api.client.post(f"/api/runs/{run['id']}/cancel", headers=headers).status_code == 409


def test_the_cookie_authenticates_the_websocket(api, hello) -> None:
    headers = api.add_user("alice")
    run = _start(api, headers, _workflow(api, headers, hello))
    api.wait_run(run["id"], headers)
    api.client.post("/api/auth/token", data={"username": "alice", "password": "a long test password"})
    with api.client.websocket_connect(f"/ws/runs/{run['id']}") as ws:  # no header: the HttpOnly cookie
        assert ws_receive(ws, "the first replayed events")[0]["event"] == "run_started"


def test_a_failing_node_fails_the_run_with_the_reason(api) -> None:
    headers = api.add_user("alice")
    document = slow_workflow()
    document["nodes"][2]["type"] = "test:fail"
    finished = api.wait_run(_start(api, headers, _workflow(api, headers, document))["id"], headers)
    assert finished["status"] == "failed"
    assert "failing on purpose" in finished["summary"]["errors"]["w"]


def test_a_draft_cannot_run(api, hello) -> None:
    headers = api.add_user("alice")
    broken = hello | {"nodes": hello["nodes"] + [{"id": "x", "type": "nope:nothing"}]}
    wid = api.client.post("/api/workflows", json={"document": broken, "draft": True}, headers=headers).json()["id"]
    response = api.client.post(f"/api/workflows/{wid}/runs", json={}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "revision"


def test_list_runs_with_filters_and_isolation(api, hello) -> None:
    alice = api.add_user("alice")
    bob = api.add_user("bob")
    root = api.add_user("root", Role.ADMIN)
    viewer = api.add_user("vera", Role.VIEWER)
    first, second = _workflow(api, alice, hello), _workflow(api, alice, hello)
    runs = [_start(api, alice, first), _start(api, alice, second)]
    for run in runs:
        api.wait_run(run["id"], alice)
    bobs = _start(api, bob, _workflow(api, bob, hello))
    api.wait_run(bobs["id"], bob)
    assert {r["id"] for r in api.client.get("/api/runs", headers=alice).json()} == {r["id"] for r in runs}
    by_workflow = api.client.get(f"/api/runs?workflow_id={first}", headers=alice).json()
    assert [r["id"] for r in by_workflow] == [runs[0]["id"]]
    assert api.client.get("/api/runs?status=failed", headers=alice).json() == []
    assert api.client.get("/api/runs?status=bogus", headers=alice).status_code == 400
    assert len(api.client.get("/api/runs?limit=1", headers=alice).json()) == 1
    assert len(api.client.get("/api/runs", headers=root).json()) == 3
    for path in (f"/api/runs/{runs[0]['id']}", f"/api/runs/{runs[0]['id']}/events"):
        assert api.client.get(path, headers=bob).status_code == 404
    assert api.client.post(f"/api/runs/{runs[0]['id']}/cancel", headers=bob).status_code == 404
    assert api.client.post(f"/api/workflows/{first}/runs", json={}, headers=bob).status_code == 404
    assert api.client.post(f"/api/workflows/{first}/runs", json={}, headers=viewer).status_code == 403
    with api.client.websocket_connect(f"/ws/runs/{runs[0]['id']}", headers=bob) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws_receive(ws, "the close of another user's run")
    assert closed.value.code == 4404


def test_runs_left_running_by_a_dead_server_are_marked_interrupted(settings, open_api, hello) -> None:
    with open_api(settings) as api:
        headers = api.add_user("alice")
        wid = _workflow(api, headers, hello)
        run = _start(api, headers, wid)
        api.wait_run(run["id"], headers)

        async def pretend_crash() -> None:  # what a killed process leaves behind
            async with api.client.app.state.db.session() as session:
                await session.execute(sa.update(Run).values(status="running", finished_at=None))

        with api.client.portal() as portal:
            portal.call(pretend_crash)
    with open_api(settings) as api:
        headers = api.login("alice")
        after = api.client.get(f"/api/runs/{run['id']}", headers=headers).json()
        assert after["status"] == "interrupted" and after["error"]


def test_stopping_the_server_interrupts_its_runs(settings, open_api) -> None:
    with open_api(settings) as api:
        headers = api.add_user("alice")
        run = _start(api, headers, _workflow(api, headers, slow_workflow()))
        _wait_until_running(api, headers, run["id"])
    with open_api(settings) as api:
        headers = api.login("alice")
        assert api.client.get(f"/api/runs/{run['id']}", headers=headers).json()["status"] == "interrupted"
        events = api.client.get(f"/api/runs/{run['id']}/events", headers=headers).json()
        assert events[-1]["event"] == "run_finished"


def test_a_subscriber_that_leaves_a_quiet_run_is_let_go_at_once(api) -> None:
    headers = api.add_user("alice")
    run = _start(api, headers, _workflow(api, headers, slow_workflow()))
    _wait_until_running(api, headers, run["id"])
    live = api.client.app.state.runs.live[run["id"]]
    with api.client.websocket_connect(f"/ws/runs/{run['id']}", headers=headers) as ws:
        ws_receive(ws, "the first replayed events")
        assert len(live.journal.subscribers) == 1
    deadline = time.monotonic() + 30  # the run publishes nothing more: only the disconnect can free it
    while live.journal.subscribers and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not live.journal.subscribers
    assert api.client.post(f"/api/runs/{run['id']}/cancel", headers=headers).status_code == 202
    assert api.wait_run(run["id"], headers)["status"] == "cancelled"
