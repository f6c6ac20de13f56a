"""`core:notify` against a real HTTP receiver on 127.0.0.1: exact payloads, retries on 5xx and
network errors, none on 4xx, gating, backtests, and no secrets in logs or errors."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import numpy as np
import pytest
from quantflow.builtin.notify_nodes import (
    SLEEP_SERVICE,
    backoff_delays,
    redact,
    should_send,
)
from quantflow.engine import RunContext, RunMode, RunStatus, compile_plan, execute
from quantflow.errors import QuantflowError
from quantflow.plugins import get_host
from quantflow.workflow import ProblemCode, validate

NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
SECRET = "s3cr3t-T0KEN"


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, body, delay); 200 once the script is spent."""

    url: str
    script: list[tuple[int, str, float]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, text, delay = state.script.pop(0) if state.script else (200, "ok", 0.0)
            time.sleep(delay)  # bounded: only the timeout test sets it, to 0.5 s
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/alerts"
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class Sleeps(list[float]):
    """Records backoff waits instead of sleeping."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def notify(params: dict[str, Any], ctx: RunContext | None = None, **inputs: Any) -> dict[str, Any]:
    spec = get_host().registry.node_types.get("core:notify")
    ctx = ctx or RunContext(run_id="n1", clock=lambda: NOW, services={SLEEP_SERVICE: Sleeps()})

    async def go() -> dict[str, Any]:
        return await spec.invoke(ctx, spec.params_model.model_validate(params), inputs)

    return anyio.run(go)["out"]


def test_posts_the_exact_json_payload(receiver: Receiver) -> None:
    flow = {
        "id": "w", "name": "notify",
        "nodes": [
            {"id": "go", "type": "core:manual_trigger"},
            {"id": "price", "type": "core:constant", "params": {"value": 27_500}},
            {"id": "tell", "type": "core:notify", "params": {"url": receiver.url + "?channel=vn", "message": "HPG at {value} VND"}},
        ],
        "edges": [
            {"source": "go", "source_port": "out", "target": "price", "target_port": "trigger"},
            {"source": "price", "source_port": "out", "target": "tell", "target_port": "value"},
            {"source": "go", "source_port": "out", "target": "tell", "target_port": "when"},
        ],
    }
    result = validate(flow, get_host().registry.node_types)
    assert result.ok, [str(p) for p in result.errors]
    outcome = anyio.run(execute, compile_plan(result), RunContext(run_id="run-7", clock=lambda: NOW))
    assert outcome.status is RunStatus.SUCCEEDED, outcome.errors
    assert outcome.outputs["tell"]["out"] == {"sent": True, "status": 200, "attempts": 1, "message": "HPG at 27500.0 VND"}
    [request] = receiver.requests
    assert request["path"] == "/hooks/alerts?channel=vn"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "message": "HPG at 27500.0 VND", "value": 27500.0, "run_id": "run-7", "time": "2025-03-03T08:00:00+00:00",
    }


def test_series_and_events_travel_as_json(receiver: Receiver) -> None:
    series = {"HPG": np.array([27_000.0, 27_600.0]), "VCB": np.array([], dtype=float)}
    notify({"url": receiver.url, "message": "x"}, value={"crossed": series, "n": np.int64(3)})
    assert json.loads(receiver.requests[0]["body"])["value"] == {"crossed": {"HPG": 27_600.0, "VCB": None}, "n": 3}


def test_a_5xx_is_retried_with_backoff(receiver: Receiver) -> None:
    receiver.script = [(500, "busy", 0.0), (503, "still busy", 0.0)]
    sleeps = Sleeps()
    ctx = RunContext(run_id="n1", clock=lambda: NOW, services={SLEEP_SERVICE: sleeps})
    out = notify({"url": receiver.url, "message": "m", "retries": 3, "backoff": 0.25}, ctx)
    assert (out["sent"], out["status"], out["attempts"]) == (True, 200, 3)
    assert sleeps == [0.25, 0.5]
    assert len({r["body"] for r in receiver.requests}) == 1 and len(receiver.requests) == 3


def test_gives_up_after_the_last_retry(receiver: Receiver) -> None:
    receiver.script = [(502, "bad gateway", 0.0)] * 3
    with pytest.raises(QuantflowError, match=r"answered 502 Bad Gateway.*gave up after 3 attempts"):
        notify({"url": receiver.url, "retries": 2, "backoff": 0})
    assert len(receiver.requests) == 3


def test_a_4xx_fails_at_once_with_a_clear_message(receiver: Receiver) -> None:
    receiver.script = [(400, '{"error": "missing text"}', 0.0)]
    with pytest.raises(QuantflowError) as failure:
        notify({"url": receiver.url + f"?token={SECRET}", "retries": 5})
    message = str(failure.value)
    assert "refused the message with 400 Bad Request" in message and "missing text" in message
    assert "not retried" in message and SECRET not in message and "token=***" in message
    assert len(receiver.requests) == 1


def test_a_4xx_fails_the_node_in_a_run(receiver: Receiver) -> None:
    receiver.script = [(404, "no such hook", 0.0)]
    flow = {
        "id": "w", "name": "n",
        "nodes": [
            {"id": "go", "type": "core:manual_trigger"},
            {"id": "tell", "type": "core:notify", "params": {"url": receiver.url}},
            {"id": "after", "type": "core:log"},
        ],
        "edges": [
            {"source": "go", "source_port": "out", "target": "tell", "target_port": "value"},
            {"source": "tell", "source_port": "out", "target": "after", "target_port": "value"},
        ],
    }
    outcome = anyio.run(execute, compile_plan(validate(flow, get_host().registry.node_types)), RunContext(run_id="r"))
    assert outcome.status is RunStatus.FAILED
    assert "404 Not Found" in outcome.errors["tell"]
    assert outcome.states["after"].value == "skipped"


def test_network_errors_are_retried_and_reported_without_secrets(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps = Sleeps()
    ctx = RunContext(run_id="n1", clock=lambda: NOW, services={SLEEP_SERVICE: sleeps})
    with caplog.at_level(logging.DEBUG), pytest.raises(QuantflowError) as failure:
        notify({"url": f"http://user:pw@127.0.0.1:{port}/h?key={SECRET}", "retries": 2, "backoff": 1}, ctx)
    assert f"could not reach http://127.0.0.1:{port}/h?key=***: ConnectError" in str(failure.value)
    assert "gave up after 3 attempts" in str(failure.value)
    assert sleeps == [1.0, 2.0]
    assert SECRET not in caplog.text and "pw@" not in caplog.text


def test_a_slow_receiver_times_out(receiver: Receiver) -> None:
    receiver.script = [(200, "late", 0.5)]
    with pytest.raises(QuantflowError, match="ReadTimeout"):
        notify({"url": receiver.url, "timeout": 0.05, "retries": 0})


def test_logs_never_show_the_query_secret(receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        out = notify({"url": receiver.url + f"?token={SECRET}&room=1"})
    assert out["sent"] is True
    assert "HTTP Request: POST" in caplog.text  # httpx's own line, redacted
    assert SECRET not in caplog.text and "token=***&room=***" in caplog.text


def test_when_gates_the_message(receiver: Receiver) -> None:
    assert notify({"url": receiver.url}, when={"reason": "price_alert", "fired": False})["sent"] is False
    assert notify({"url": receiver.url}, when={"HPG": np.array([True, False])})["sent"] is False
    assert notify({"url": receiver.url}, when=False)["sent"] is False
    assert receiver.requests == []
    assert notify({"url": receiver.url}, when={"HPG": np.array([False, True]), "VCB": np.array([False])})["sent"]
    assert notify({"url": receiver.url}, when={"reason": "schedule", "fired": True})["sent"]
    assert len(receiver.requests) == 2


def test_should_send_rules() -> None:
    assert should_send(None) and should_send(True) and should_send({"time": "t", "reason": "manual"})
    assert not should_send({"HPG": np.array([], dtype=bool)})
    assert should_send({"HPG": [False, True]}) and should_send({"note": 1}) and not should_send({})


def test_backtests_do_not_send_unless_asked(receiver: Receiver) -> None:
    ctx = RunContext(run_id="b", mode=RunMode.BACKTEST, clock=lambda: NOW)
    out = notify({"url": receiver.url, "message": "would send {value}"}, ctx, value=1)
    assert out == {"sent": False, "status": None, "attempts": 0, "message": "would send 1"}
    assert receiver.requests == []
    assert notify({"url": receiver.url, "in_backtest": True}, ctx)["sent"] is True


@pytest.mark.parametrize("url", ["ftp://example.com/x", "example.com/hook", "http://", "javascript:alert(1)"])
def test_only_http_urls_are_accepted(url: str) -> None:
    flow = {"id": "w", "name": "n", "nodes": [{"id": "tell", "type": "core:notify", "params": {"url": url}}], "edges": []}
    [problem] = validate(flow, get_host().registry.node_types).errors
    assert (problem.code, problem.node_id, problem.param) == (ProblemCode.INVALID_PARAM, "tell", "url")
    assert "is not an http(s) address" in problem.message


def test_params_schema_describes_every_field() -> None:
    spec = get_host().registry.node_types.get("core:notify")
    assert spec.side_effects and not spec.cacheable
    assert all(p.get("description") for p in spec.params_model.model_json_schema()["properties"].values())


def test_redact_and_backoff() -> None:
    assert redact(f"https://bot:{SECRET}@hooks.example.vn:8443/a/b?token={SECRET}&x=") == (
        "https://hooks.example.vn:8443/a/b?token=***&x=***"
    )
    assert redact("http://example.com/hook") == "http://example.com/hook"
    assert backoff_delays(4, 0.5) == [0.5, 1.0, 2.0, 4.0] and backoff_delays(0, 1) == []
