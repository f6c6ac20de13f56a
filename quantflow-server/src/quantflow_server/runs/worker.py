"""The worker-process side of a backtest or paper run: a fresh interpreter (spawn) runs one job and
reports up a pipe, so the run's CPU work never holds the server's GIL.

Messages, in order: any number of ("event", dict) for progress, then exactly one of
("done", Outcome) or ("failed", reason). A worker that dies sends nothing more: the server sees
the pipe close and fails the run (runs/processes.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from quantflow.backtest import BacktestConfig
from quantflow.plugins.host import PluginHost

from quantflow_server.runs import backtest as bt


@dataclass(frozen=True)
class Job:
    """Everything a run needs, picklable. The worker builds its own plugin host with `host_factory`
    (a module-level function): a loaded host cannot cross a process boundary."""

    run_id: str
    document: dict[str, Any]
    config: BacktestConfig
    mode: str
    fast: bool
    market_data_dir: Path | None
    host_factory: Callable[[], PluginHost]
    pace_s: float = 0.0  # paper: the pause after each session (0: as fast as it computes)
    nice: int = 0  # added to the worker's niceness before it computes


@dataclass(frozen=True)
class Outcome:
    """A finished run, already serialised here so the server does no heavy work on its loop."""

    result_json: str
    synthetic: bool
    summary: dict[str, Any]
    orders: list[tuple[str, dict[str, Any]]]


def execute(job: Job, report: Callable[[dict[str, Any]], None]) -> Outcome:
    host = job.host_factory()
    source = bt.make_source(job.market_data_dir, host, job.document, job.config)

    def progress(done: int, total: int) -> None:
        if job.pace_s:  # a paced paper run reports every session (when: `time`), then waits for the next
            report({"event": "progress", "sessions_done": done, "sessions": total, "time": time.time()})
            time.sleep(job.pace_s)
        elif done == total or done % bt.PROGRESS_EVERY == 0:
            report({"event": "progress", "sessions_done": done, "sessions": total})

    result = bt.run_blocking(job.document, source, job.config, host, mode=job.mode, fast=job.fast, progress=progress)
    synthetic = bt.is_synthetic(source)
    return Outcome(
        result.model_dump_json(),
        synthetic,
        bt.summary_of(result, synthetic),
        bt.order_records(result, job.run_id, job.mode),
    )


def main(job: Job, conn: Connection) -> None:
    """The process target. A failure of the run is a message; only a dying process sends none."""
    if job.nice:
        os.nice(job.nice)
    try:
        outcome = execute(job, lambda event: conn.send(("event", event)))
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    else:
        conn.send(("done", outcome))
    finally:
        conn.close()
