from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from quantflow.cli.main import main
from quantflow.plugins import reset_host

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "workflows"


@pytest.fixture(autouse=True)
def fresh_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANTFLOW_LOAD_PLUGINS", "")  # only the built-ins, whatever is installed
    reset_host()


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_validate_ok_and_json() -> None:
    code, out = invoke("validate", str(EXAMPLES / "hello.json"))
    assert code == 0 and "is valid (5 nodes, 5 edges)" in out
    code, out = invoke("validate", "--json", str(EXAMPLES / "hello.json"))
    assert code == 0 and json.loads(out) == {"ok": True, "problems": []}


def test_validate_reports_problems_and_exits_1(tmp_path: Path) -> None:
    bad = json.loads((EXAMPLES / "hello.json").read_text())
    bad["nodes"][1]["type"] = "core:constnt"
    bad["nodes"][2]["params"] = {"value": "forty"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    code, out = invoke("validate", str(path))
    assert code == 1
    assert "unknown_type" in out and "did you mean 'core:constant'" in out
    assert "node 'b', param 'value'" in out
    code, out = invoke("validate", "--json", str(path))
    problems = json.loads(out)["problems"]
    assert {(p["code"], p["node_id"]) for p in problems if p["severity"] == "error"} == {
        ("unknown_type", "a"),
        ("invalid_param", "b"),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "is not valid JSON: Expecting property name"), ("[" * 100_000, "nested too deeply")],
)
def test_unreadable_input_is_a_message_not_a_traceback(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "w.json"
    path.write_text(content)
    code, out = invoke("validate", str(path))
    assert code == 1 and message in out and "Traceback" not in out
    code, out = invoke("validate", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in out


def test_run_prints_the_event_log_and_outputs() -> None:
    code, out = invoke("run", str(EXAMPLES / "hello.json"))
    assert code == 0
    assert "run_started" in out and "run_finished   status=succeeded" in out
    assert "total.out = 42.0" in out


def test_run_json_events_and_partial_targets() -> None:
    code, out = invoke("run", "--json", "--target", "a", str(EXAMPLES / "hello.json"))
    events = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [e["event"] for e in events] == ["run_started", "node_started", "node_finished", "node_started", "node_finished", "run_finished"]
    assert {e.get("node_id") for e in events} == {None, "start", "a"}


def test_nodes_json_has_schemas_and_port_table() -> None:
    code, out = invoke("nodes", "--json")
    catalog = json.loads(out)
    assert code == 0
    constant = next(n for n in catalog["node_types"] if n["type_id"] == "core:constant")
    assert constant["params_schema"]["properties"]["value"]["type"] == "number"
    assert constant["plugin"] == "core"
    assert "series" in catalog["port_compatibility"]["bool_series"]


def test_plugins_and_schema() -> None:
    code, out = invoke("plugins")
    (core,) = json.loads(out)
    assert core["name"] == "core" and core["distribution"] == "quantflow"
    code, out = invoke("schema")
    assert json.loads(out)["title"] == "Workflow"
