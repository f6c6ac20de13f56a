"""`quantflow backtest FILE --data DIR --from DATE --to DATE`: a workflow over stored daily bars.

Reads bars with the directory data source (`core:directory`), runs the bar-by-bar backtest (or the
fast path with `--fast`), shows a progress bar, prints the metrics, and writes the full result as
JSON (`--json-out`) and a self-contained HTML report (`--html`)."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import anyio
import click

from quantflow.errors import QuantflowError


def _day(_ctx: Any, _param: Any, value: datetime) -> date:
    return value.date()


@click.command("backtest")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path, exists=True),
              help="Folder (or file) of daily bars, e.g. vnstock/VCI per-ticker CSVs.")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), callback=_day)
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]), callback=_day)
@click.option("--preset", default="vci", show_default=True, help="File layout of the data (see core:directory).")
@click.option("--cash", type=int, default=1_000_000_000, show_default=True, help="Initial cash, VND.")
@click.option("--fast", is_flag=True, help="Use the vectorised fast path (same orders, data-only signals).")
@click.option("--json-out", type=click.Path(path_type=Path, dir_okay=False), help="Write the full result here.")
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False), help="Write an HTML report here.")
def backtest_command(file: Path, data_dir: Path, start: date, end: date, preset: str, cash: int, fast: bool,
                     json_out: Path | None, html_out: Path | None) -> None:
    """Backtest a workflow over history through the paper broker."""
    from quantflow.backtest import (
        BacktestConfig,
        render_html,
        run_bar_by_bar,
        run_fast,
    )
    from quantflow.data.directory import DirectoryConfig, DirectorySource

    try:
        workflow = json.loads(file.read_text(encoding="utf-8"))
        config = BacktestConfig(start=start, end=end, initial_cash=cash)
        source = DirectorySource(DirectoryConfig(path=data_dir, preset=preset, end=end, policy="repair"))  # type: ignore[arg-type]
    except (OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        if fast:
            result = anyio.run(lambda: run_fast(workflow, source, config))
        else:
            with click.progressbar(length=1, label="sessions", file=sys.stderr) as bar:
                def progress(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)

                result = anyio.run(lambda: run_bar_by_bar(workflow, source, config, progress=progress))
    except (QuantflowError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if json_out is not None:
        json_out.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    if html_out is not None:
        html_out.write_text(render_html(result, title=str(workflow.get("name", file.stem))), encoding="utf-8")
    click.echo(json.dumps({"orders": len(result.orders), "fills": len(result.fills),
                           "metrics": result.metrics.model_dump(mode="json")}, indent=2))
