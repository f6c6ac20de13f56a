"""What a running node may reach: the data source, the broker, the clock, a logger, the run id and
the mode. Backtest, paper and live differ only in what is plugged in here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class RunMode(StrEnum):
    BACKTEST = "backtest"
    PAPER = "paper"
    LIVE = "live"


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)  # not slotted: `for_node` copies the instance dict, cheaper than `__init__`
class RunContext:
    run_id: str
    mode: RunMode = RunMode.PAPER
    data_source: Any = None
    broker: Any = None
    clock: Callable[[], datetime] = wall_clock  # a backtest's clock is the current bar's time
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("quantflow.run"))
    # Anything else a host provides to nodes (the risk engine, an agent, a notifier, …).
    services: Mapping[str, Any] = field(default_factory=dict)
    # State that outlives one run: a backtest or live session runs the same plan once per bar,
    # and stateful nodes (incremental indicators, alerts) keep their memory here by node id.
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    node_id: str | None = None  # set for stateful nodes only (see NodeType.stateful)
    # True when this run is one of a session's per-bar runs: data nodes then emit only the bars
    # new since the previous run, and stateful nodes carry the rest (see quantflow.nodes.values).
    incremental: bool = False

    def now(self) -> datetime:
        return self.clock()

    def for_node(self, node_id: str) -> RunContext:
        # A copy of the fields with another node id, without `__init__` (a backtest asks for one per
        # stateful node on every bar; `dataclasses.replace` costs several times more).
        copy = object.__new__(RunContext)
        values = copy.__dict__
        values.update(self.__dict__)
        values["node_id"] = node_id
        return copy

    def node_state(self) -> dict[str, Any]:
        """This node's memory across the runs of one session (empty on the first run)."""
        if self.node_id is None:
            raise RuntimeError("node_state() is only available to node types declared stateful=True")
        return self.state.setdefault(self.node_id, {})

