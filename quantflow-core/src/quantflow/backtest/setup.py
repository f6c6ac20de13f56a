"""From a workflow document to what both execution paths need: the validated graph, the compiled
plan, the symbols it trades and how much history its indicators want before the start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from quantflow.backtest.config import BacktestConfig
from quantflow.engine import Plan, RunContext, compile_plan
from quantflow.errors import QuantflowError
from quantflow.nodes.spec import NodeType
from quantflow.plugins import get_host
from quantflow.plugins.registry import Kind, Registered
from quantflow.workflow import ValidationResult, validate

BARS_TYPE = "core:bars"
UNIVERSE_TYPE = "core:universe"
DEFAULT_WARMUP = 300


class BacktestError(QuantflowError):
    """The workflow cannot be backtested, or a run inside the backtest failed."""


@dataclass(frozen=True, slots=True)
class Prepared:
    validation: ValidationResult
    plan: Plan
    symbols: tuple[str, ...]
    warmup: int


def node_types(extra: Iterable[NodeType] = ()) -> Kind[NodeType]:
    """The host's node types plus `extra` (and the action nodes, if the host lacks them)."""
    from quantflow.builtin import action_nodes

    base = get_host().registry.node_types
    kind: Kind[NodeType] = Kind("node type", lambda item: str(item.type_id))
    kind.entries = dict(base.entries)
    for spec in [*action_nodes.NODE_TYPES, *extra]:
        if spec.type_id not in kind.entries:
            kind.entries[spec.type_id] = Registered(spec, "core")
    return kind


def _universes(result: ValidationResult) -> list[str]:
    """Symbols of universe nodes that feed a bars node: a universe is a pure function of its
    params, so the backtest can know the symbols to load before it starts."""
    feeding = {e.source for e in result.edges if e.target_port == "universe"
               and result.resolved[e.target].spec.type_id == BARS_TYPE}
    symbols: list[str] = []
    for node_id in feeding:
        universe = result.resolved[node_id]
        if universe.spec.type_id == UNIVERSE_TYPE and universe.params is not None:
            symbols.extend(universe.spec.invoke(RunContext(run_id="prepare"), universe.params, {})["out"])
    return symbols


def prepare(workflow: Any, config: BacktestConfig, types: Kind[NodeType] | None = None) -> Prepared:
    result = validate(workflow, types if types is not None else node_types())
    if not result.ok:
        raise BacktestError("the workflow has errors:\n" + "\n".join(str(p) for p in result.errors[:20]))
    bars_params = [r.params for r in result.resolved.values() if r.spec.type_id == BARS_TYPE]
    symbols = config.symbols or tuple(dict.fromkeys([*(s for p in bars_params for s in p.symbols), *_universes(result)]))  # type: ignore[union-attr]
    if not symbols:
        raise BacktestError("no symbols: set them on the workflow's bars nodes or in the backtest config")
    lookbacks = [int(p.lookback) for p in bars_params]  # type: ignore[union-attr]
    warmup = config.warmup_bars if config.warmup_bars is not None else max(lookbacks, default=DEFAULT_WARMUP)
    if lookbacks and warmup > min(lookbacks):
        raise BacktestError(f"warmup_bars {warmup} exceeds a bars node's lookback {min(lookbacks)}; "
                            "the first bar-by-bar run could not see the whole warm-up")
    return Prepared(result, compile_plan(result), tuple(symbols), warmup)
