"""Starts runs in the background, persists their events in batches, and tracks them for
cancellation and streaming. One per app; everything happens on the server's event loop, except the
computing of backtest and paper runs, which happens in worker processes (runs/processes.py)."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from quantflow.data.directory import DirectoryConfig, DirectorySource
from quantflow.engine import Run, RunContext, RunMode, compile_plan
from quantflow.plugins.host import PluginHost, get_host
from quantflow.triggers import WAKE_SERVICE, Wake
from quantflow.workflow import validate

from quantflow_server.audit.chain import AuditEvent
from quantflow_server.audit.recorder import AuditRecorder
from quantflow_server.db.database import Database
from quantflow_server.db.models import Run as RunRow
from quantflow_server.db.models import RunEvent as RunEventRow
from quantflow_server.db.models import RunResult as RunResultRow
from quantflow_server.db.types import utcnow
from quantflow_server.runs import backtest as bt
from quantflow_server.runs.journal import Journal
from quantflow_server.runs.live import LiveRun, RunLogHandler
from quantflow_server.runs.processes import RunFailed, WorkerPool
from quantflow_server.runs.replays import FinishedReplays
from quantflow_server.runs.schemas import RunRequest
from quantflow_server.runs.worker import Job
from quantflow_server.settings import Settings

log = logging.getLogger("quantflow.server.runs")
ACTIVE = ("queued", "running")


def _json_safe(value: Any) -> Any:
    """Event payloads as strict JSON (NaN and infinities are not JSON; enums become strings)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class RunManager:
    def __init__(
        self,
        db: Database,
        host: PluginHost,
        audit: AuditRecorder,
        settings: Settings,
        worker_host: Callable[[], PluginHost] = get_host,
    ) -> None:
        self.db = db
        self.settings = settings
        self.host = host
        self.worker_host = worker_host  # builds the host inside worker processes: module-level, picklable
        self.audit = audit
        self.pool = WorkerPool(settings.run_workers)
        self.live: dict[str, LiveRun] = {}
        self.replays = FinishedReplays()
        self._stopping = False

    async def recover(self) -> int:
        """Runs a previous server process left unfinished can never finish: mark them."""
        error = "the server stopped during the run"
        async with self.db.session() as session:
            ids = list(await session.scalars(sa.select(RunRow.id).where(RunRow.status.in_(ACTIVE))))
            if ids:
                await session.execute(
                    sa.update(RunRow)
                    .where(RunRow.id.in_(ids))
                    .values(status="interrupted", finished_at=utcnow(), error=error)
                )
                events = [AuditEvent("run_finished", None, {"run": i, "status": "interrupted"}) for i in ids]
                await self.audit.record_many(session, events)
        return len(ids)

    def start(
        self, run_id: str, document: dict[str, Any], request: RunRequest, owner: str, wake: Wake | None = None
    ) -> LiveRun:
        """Begin executing; the run row must already be committed (events reference it). `wake`: the
        trigger that fired it, when the scheduler started it."""
        live = LiveRun(run_id)
        self.live[run_id] = live
        live.task = asyncio.create_task(self._execute(live, document, request, owner, wake), name=f"run-{run_id}")
        return live

    async def journal(self, run_id: str, *, finished: bool) -> Journal:
        """The run's events for a websocket subscriber: the live journal while this process runs it,
        else the stored events, kept for the next subscriber if the run is `finished` (a run still
        active in the database but not here, e.g. in another server process, is read but not kept)."""
        live = self.live.get(run_id)
        if live is not None:
            return live.journal
        if finished or run_id in self.replays:
            return await self.replays.get(run_id, lambda: self._stored_events(run_id))
        return Journal(await self._stored_events(run_id), closed=True)

    async def _stored_events(self, run_id: str) -> list[str]:
        """Read, then release the connection: a subscriber must not hold it while it is being sent."""
        async with self.db.session() as session:
            text = sa.cast(RunEventRow.data, sa.Text)  # as stored: not decoded only to be encoded again
            rows = await session.scalars(sa.select(text).where(RunEventRow.run_id == run_id).order_by(RunEventRow.seq))
            return list(rows)

    def cancel(self, run_id: str) -> bool:
        live = self.live.get(run_id)
        if live is None or live.finished:
            return False
        if live.engine_run is not None:
            live.engine_run.cancel()
        elif live.task is not None:
            live.task.cancel()
        return True

    async def _manual(self, live: LiveRun, document: dict[str, Any], wake: Wake | None) -> tuple[str, dict[str, Any]]:
        result = validate(document, self.host.registry.node_types)
        if not result.ok:
            raise ValueError(f"the workflow has {len(result.errors)} error(s): {result.errors[0].message}")
        logger = logging.Logger(f"quantflow.run.{live.run_id}")  # unregistered: no global leak
        logger.addHandler(RunLogHandler(live))
        services = {WAKE_SERVICE: wake} if wake is not None else {}
        # the operator's market data, read up to now: scheduled screens and alerts need bars
        data = self.settings.market_data_dir
        source = DirectorySource(DirectoryConfig(path=data, policy="repair")) if data is not None else None
        ctx = RunContext(run_id=live.run_id, mode=RunMode.PAPER, data_source=source, logger=logger, services=services)
        live.engine_run = Run(compile_plan(result), ctx)
        live.engine_run.subscribe(lambda event: live.publish(_json_safe(event.to_dict())))
        outcome = await live.engine_run.execute()
        return outcome.status.value, {
            "duration_ms": outcome.duration_ms,
            "errors": outcome.errors,
            "states": {k: v.value for k, v in outcome.states.items()},
        }

    async def _backtest(
        self, live: LiveRun, document: dict[str, Any], request: RunRequest, owner: str
    ) -> tuple[str, dict[str, Any]]:
        """Compute in a worker process (queued while every worker is busy); store the result and put
        every order and fill in the ledger here, where the database is."""
        job = Job(
            run_id=live.run_id,
            document=bt.with_symbols(document, request.symbols),
            config=bt.config_for(request),
            mode=request.mode,
            fast=request.fast,
            market_data_dir=self.settings.market_data_dir,
            host_factory=self.worker_host,
            pace_s=request.pace_ms / 1000,
            nice=self.settings.run_worker_nice,
        )
        status, summary = "failed", None
        try:
            async with self.pool.slot():
                await self._set(live.run_id, status="running", started_at=utcnow())
                live.publish({"event": "run_started", "run_id": live.run_id, "mode": request.mode})
                outcome = await self.pool.run(job, live.publish)
            for action, details in outcome.orders:
                live.publish({"event": action, **details})
            async with self.db.session() as session:
                session.add(RunResultRow(run_id=live.run_id, synthetic=outcome.synthetic, result=outcome.result_json))
                await self.audit.record_many(session, bt.audit_events(outcome.orders, owner))
            status, summary = "succeeded", outcome.summary
        except asyncio.CancelledError:  # cancel() cancels this task; the pool has stopped the worker
            status = "cancelled"
        finally:
            live.publish({"event": "run_finished", "run_id": live.run_id, "status": status})
        return status, summary or {}

    async def _execute(
        self, live: LiveRun, document: dict[str, Any], request: RunRequest, owner: str, wake: Wake | None
    ) -> None:
        writer = asyncio.create_task(self._write_events(live))
        status, error, summary = "failed", None, None
        try:
            if request.mode == "manual":
                await self._set(live.run_id, status="running", started_at=utcnow())
                status, summary = await self._manual(live, document, wake)
            else:
                status, summary = await self._backtest(live, document, request, owner)
        except asyncio.CancelledError:
            status, error = "cancelled", "cancelled before it started"
        except RunFailed as exc:
            log.warning("run %s failed: %s", live.run_id, exc)
            status, error = "failed", str(exc)
        except Exception as exc:
            log.exception("run %s could not execute", live.run_id)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            if self._stopping and status == "cancelled":
                status, error = "interrupted", "the server stopped during the run"
            live.finished = True
            live.wake.set()
            await writer
            try:
                await self._finish(live.run_id, status, error, _json_safe(summary))
            finally:
                live.close()
                self.replays.put(live.run_id, live.journal)  # before it stops being live: no gap
                self.live.pop(live.run_id, None)

    async def _write_events(self, live: LiveRun) -> None:
        """Persist events in batches as they come; returns once the run is over and all are written."""
        while True:
            await live.wake.wait()
            live.wake.clear()
            batch, live.pending = live.pending, []
            if batch:
                try:
                    async with self.db.session() as session:
                        await session.execute(
                            sa.insert(RunEventRow),
                            [
                                {
                                    "run_id": live.run_id,
                                    "seq": e["seq"],
                                    "event": str(e.get("event", "event")),
                                    "data": e,
                                }
                                for e in batch
                            ],
                        )
                except Exception:
                    log.exception("could not persist %d events of run %s", len(batch), live.run_id)
            if live.finished and not live.pending:
                return

    async def _finish(self, run_id: str, status: str, error: str | None, summary: Any) -> None:
        """The final status and its audit entry, in one transaction."""
        async with self.db.session() as session:
            await session.execute(
                sa.update(RunRow)
                .where(RunRow.id == run_id)
                .values(status=status, finished_at=utcnow(), error=error, summary=summary)
            )
            owner = await session.scalar(sa.select(RunRow.owner_id).where(RunRow.id == run_id))
            details = {"run": run_id, "status": status, "owner_id": owner, "error": error}
            await self.audit.record_many(session, [AuditEvent("run_finished", None, details)])

    async def _set(self, run_id: str, **values: Any) -> None:
        async with self.db.session() as session:
            await session.execute(sa.update(RunRow).where(RunRow.id == run_id).values(**values))

    async def shutdown(self) -> None:
        """Stop every run (the server is going away) and wait until their events are written."""
        self._stopping = True
        for run_id in list(self.live):
            self.cancel(run_id)
        tasks = [live.task for live in self.live.values() if live.task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.pool.shutdown()
