"""`quantflow serve` as operators start it (a real uvicorn on loopback): the run websocket speaks
without per-message deflate, replays a long run in frames of many events, and clients that leave
abruptly leave no error in the server's log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from quantflow.testing.serving import create_user, free_port, serve_command, server_env, serving
from websockets.sync.client import connect

from .conftest import PASSWORD, REPO


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    """(base url, auth headers, log file) of a server on a free port, stopped afterwards."""
    env = server_env(tmp_path / "data", QUANTFLOW_JWT_SECRET="s" * 48, QUANTFLOW_WEB_DIR=str(tmp_path / "no-web"))
    create_user(env, "alice", PASSWORD)
    port, log = free_port(), tmp_path / "server.log"
    with serving(serve_command(port), port, env, log) as (url, _):
        token = httpx.post(f"{url}/api/auth/token", data={"username": "alice", "password": PASSWORD}).json()
        yield url, {"Authorization": f"Bearer {token['access_token']}"}, log


def _finished_paced_run(url: str, headers: dict[str, str]) -> str:
    """A paper run with one progress event per session: several hundred events, several frames."""
    document = json.loads((REPO / "examples" / "workflows" / "sma_crossover.json").read_text())
    with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        wid = client.post("/api/workflows", json={"document": document}).json()["id"]
        body = {"mode": "paper", "start": "2023-01-03", "end": "2024-06-28", "symbols": ["SYNA"], "pace_ms": 1}
        run_id: str = client.post(f"/api/workflows/{wid}/runs", json=body).json()["id"]
        deadline = time.monotonic() + 120
        while client.get(f"/api/runs/{run_id}").json()["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    return run_id


def _frames(url: str, headers: dict[str, str], run_id: str) -> tuple[list[list[dict[str, Any]]], Any]:
    ws_url = url.replace("http://", "ws://") + f"/ws/runs/{run_id}"
    with connect(ws_url, additional_headers=headers, open_timeout=30) as ws:  # offers permessage-deflate
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions")
        frames = [json.loads(message) for message in ws]  # until the server closes (1000)
    return frames, extensions


def test_the_served_websocket_replays_in_shared_frames_without_deflate(served) -> None:
    url, headers, log = served
    run_id = _finished_paced_run(url, headers)
    stored = httpx.get(f"{url}/api/runs/{run_id}/events", headers=headers).json()
    frames, extensions = _frames(url, headers, run_id)
    assert extensions is None  # no per-message deflate: every subscriber would compress its own copy
    assert [e for frame in frames for e in frame] == stored and len(stored) > 256
    assert 1 < len(frames) < len(stored) and len(frames[0]) == 256
    ws_url = url.replace("http://", "ws://") + f"/ws/runs/{run_id}"
    for _ in range(20):  # clients that vanish without a close handshake, mid-replay
        ws = connect(ws_url, additional_headers=headers, open_timeout=30)
        ws.socket.close()
    assert _frames(url, headers, run_id)[0] == frames  # the server still serves everyone
    text = log.read_text()
    assert "Traceback" not in text and "Exception in ASGI application" not in text, text[-3000:]
