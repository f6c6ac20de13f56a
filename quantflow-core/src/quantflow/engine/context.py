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


@dataclass(frozen=True, slots=True)
class RunContext:
    run_id: str
    mode: RunMode = RunMode.PAPER
    data_source: Any = None
    broker: Any = None
    clock: Callable[[], datetime] = wall_clock  # a backtest's clock is the current bar's time
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("quantflow.run"))
    # Anything else a host provides to nodes (the risk engine, an agent, a notifier, …).
    services: Mapping[str, Any] = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()
