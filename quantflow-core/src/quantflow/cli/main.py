"""The `quantflow` command line. Errors are messages, never tracebacks; exit 1 means "your input
has a problem", exit 2 means "the command was used wrongly"."""

from __future__ import annotations

import json
import logging
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import click

from quantflow.engine import RunContext, RunEvent, RunMode, RunStatus, compile_plan, execute
from quantflow.nodes.catalog import build_catalog
from quantflow.plugins import get_host
from quantflow.workflow import ValidationResult, validate, workflow_json_schema


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _read_document(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {path}: {exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise click.ClickException(f"{path} is nested too deeply to read") from None


def _validate_file(path: Path) -> ValidationResult:
    host = get_host()
    for error in host.errors:
        click.echo(f"warning: {error}", err=True)
    return validate(_read_document(path), host.registry.node_types)


def _print_problems(result: ValidationResult) -> None:
    for problem in result.problems:
        where = []
        if problem.node_id:
            where.append(f"node {problem.node_id!r}")
        if problem.param:
            where.append(f"param {problem.param!r}")
        if problem.port:
            where.append(f"port {problem.port!r}")
        prefix = f"{', '.join(where)}: " if where else ""
        color = "red" if problem.severity.value == "error" else "yellow"
        click.echo(
            click.style(f"{problem.severity.value:7}", fg=color)
            + f" {problem.code.value:31} {prefix}{problem.message}"
        )


@click.group()
@click.version_option(package_name="quantflow")
def main() -> None:
    """QuantFlow: typed node graphs that run as a backtest, as paper trading, or live."""


@main.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def validate_command(file: Path, as_json: bool) -> None:
    """Check a workflow file and list every problem (exit 1 if any is an error)."""
    result = _validate_file(file)
    if as_json:
        _echo_json({"ok": result.ok, "problems": [p.model_dump(mode="json") for p in result.problems]})
    elif result.ok:
        _print_problems(result)
        n_nodes, n_edges = len(result.resolved), len(result.edges)
        click.echo(click.style("ok", fg="green") + f": {file} is valid ({n_nodes} nodes, {n_edges} edges)")
    else:
        _print_problems(result)
        click.echo(f"{len(result.errors)} error(s), {len(result.warnings)} warning(s) in {file}")
    sys.exit(0 if result.ok else 1)


@main.command("run")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print each run event as a JSON line.")
@click.option("--target", "targets", multiple=True, help="Run only up to this node (repeatable).")
@click.option("--mode", type=click.Choice([m.value for m in RunMode]), default=RunMode.PAPER.value)
@click.option("--node-timeout", type=float, default=None, help="Seconds a node may take.")
def run_command(file: Path, as_json: bool, targets: tuple[str, ...], mode: str, node_timeout: float | None) -> None:
    """Validate and run a workflow, printing its events as they happen."""
    result = _validate_file(file)
    if not result.ok:
        _print_problems(result)
        raise click.ClickException(f"{file} has {len(result.errors)} error(s); nothing was run")
    try:
        plan = compile_plan(result, targets or None)
    except Exception as exc:
        raise click.ClickException(str(exc)) from None
    ctx = RunContext(run_id=uuid.uuid4().hex[:12], mode=RunMode(mode))
    if not as_json:
        logging.basicConfig(level=logging.INFO, format="             log            %(message)s")

    def show(event: RunEvent) -> None:
        data = event.to_dict()
        if as_json:
            click.echo(json.dumps(data, default=str))
            return
        stamp = datetime.fromtimestamp(event.time).strftime("%H:%M:%S.%f")[:-3]
        detail = {k: v for k, v in data.items() if k not in ("event", "run_id", "time")}
        text = " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in detail.items())
        click.echo(f"{stamp} {event.kind:14} {text}")

    run_result = anyio.run(lambda: execute(plan, ctx, [show], node_timeout=node_timeout))
    if not as_json:
        for node_id, outputs in run_result.outputs.items():
            for port, value in outputs.items():
                click.echo(f"  {node_id}.{port} = {_short(value)}")
    sys.exit(0 if run_result.status is RunStatus.SUCCEEDED else 1)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


@main.command("nodes")
@click.option("--json", "as_json", is_flag=True, help="Print the full catalog with JSON Schemas.")
def nodes_command(as_json: bool) -> None:
    """List every node type the installed plugins provide."""
    catalog = build_catalog(get_host().registry.node_types)
    if as_json:
        _echo_json(catalog.model_dump(mode="json"))
        return
    for info in catalog.node_types:
        click.echo(f"{info.type_id:28} v{info.version:<3} {info.category:8} {info.title}  [{info.plugin}]")


@main.command("plugins")
def plugins_command() -> None:
    """Installed plugins as JSON: name, version, hooks, what each registered, errors."""
    _echo_json([info.model_dump(mode="json") for info in get_host().plugins()])


@main.command("schema")
def schema_command() -> None:
    """Print the workflow JSON Schema."""
    _echo_json(workflow_json_schema())


from quantflow.cli.scaffold import plugin_group  # noqa: E402
from quantflow.cli.server_commands import COMMANDS as _SERVER_COMMANDS  # noqa: E402

for _command in [*_SERVER_COMMANDS, plugin_group]:
    main.add_command(_command)

from quantflow.cli.backtest_command import backtest_command  # noqa: E402

main.add_command(backtest_command)
