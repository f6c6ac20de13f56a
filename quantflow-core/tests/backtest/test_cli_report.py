"""`quantflow backtest` on the shared files, its JSON result and its self-contained HTML report."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from quantflow.cli.main import main

from .conftest import DATA, needs_data, sma_cross

pytestmark = needs_data


def test_backtest_command_writes_json_and_an_offline_html_report(tmp_path: Path) -> None:
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(sma_cross(["HPG", "VCB"], order={"percent": 40})))
    html, out = tmp_path / "report.html", tmp_path / "result.json"
    result = CliRunner().invoke(main, ["backtest", str(workflow), "--data", str(DATA), "--from", "2023-01-03",
                                       "--to", "2024-06-28", "--html", str(html), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert summary["fills"] > 5
    saved = json.loads(out.read_text())
    assert {"orders", "fills", "trades", "equity", "positions", "metrics"} <= saved.keys()
    assert saved["metrics"]["fees"] == sum(f["fee"] for f in saved["fills"])
    page = html.read_text()
    assert page.count("<svg") == 2 and "<script" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_bad_dates_are_a_message_not_a_traceback(tmp_path: Path) -> None:
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps(sma_cross(["HPG"])))
    result = CliRunner().invoke(main, ["backtest", str(workflow), "--data", str(DATA), "--from", "2024-01-01", "--to", "2023-01-01"])
    assert result.exit_code == 1 and "before start" in result.output
