"""Fires activated workflows at their schedule and bar-close times while the server runs.

One asyncio task per app sleeps until the earliest wake of any activated workflow, starts one run
per workflow and instant (a `Wake` names the trigger), and plans the next wake. Wakes are planned
from the clock, never from a remembered list: after a restart (or a late loop) the missed times are
skipped, not replayed in a burst, and the skip is logged. A wake that finds the workflow's previous
scheduled run still going skips too: runs of one workflow never pile up.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from quantflow.engine import compile_plan
from quantflow.market.calendar import CalendarRangeError
from quantflow.plugins.host import PluginHost
from quantflow.triggers import CLOCK_DRIVEN, TriggerSpec, Wake, next_wake, trigger_specs
from quantflow.workflow import validate

from quantflow_server.audit.recorder import AuditRecorder
from quantflow_server.db.database import Database
from quantflow_server.db.models import Activation, Run, User, Workflow, WorkflowRevision
from quantflow_server.runs.manager import RunManager
from quantflow_server.runs.schemas import RunRequest

log = logging.getLogger("quantflow.server.scheduler")
SCHEDULED = "scheduled"  # the mode of the runs the scheduler starts
Clock = Callable[[], datetime]


def _system_clock() -> datetime:
    return datetime.now(UTC)


LATE = timedelta(seconds=5)  # a wake fired later than this past its time is logged


class ActivationProblem(ValueError):
    """Why a revision cannot be activated, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Planned:
    """An activated workflow as the scheduler holds it: its clock-driven triggers and next wakes."""

    workflow_id: str
    owner: str
    revision: int
    document: dict[str, Any]
    triggers: list[TriggerSpec]  # every trigger node, in plan order
    due: dict[str, datetime] = field(default_factory=dict)  # node id -> next wake (clock-driven ones)
    running: str | None = None  # the id of its scheduled run still going, if any

    def next_due(self) -> datetime | None:
        return min(self.due.values(), default=None)


def plan_activation(
    host: PluginHost, workflow_id: str, owner: str, revision: int, document: dict[str, Any], now: datetime
) -> Planned:
    """The workflow's triggers and first wakes, or `ActivationProblem` when nothing would fire it."""
    result = validate(document, host.registry.node_types)
    if not result.ok:
        raise ActivationProblem("revision", f"revision {revision} does not validate: {result.errors[0].message}")
    planned = Planned(workflow_id, owner, revision, document, trigger_specs(compile_plan(result)))
    if not any(t.kind in CLOCK_DRIVEN for t in planned.triggers):
        raise ActivationProblem(
            "revision", f"revision {revision} has no schedule or on-bar-close trigger: nothing would start it"
        )
    _advance(planned, now)
    if not planned.due:
        raise ActivationProblem("revision", f"no trigger of revision {revision} fires after {now.isoformat()}")
    return planned


def _advance(planned: Planned, after: datetime) -> None:
    """Plan each clock-driven trigger's next wake strictly after `after` (drop those that never wake)."""
    for spec in planned.triggers:
        if spec.kind not in CLOCK_DRIVEN:
            continue
        try:
            wake = next_wake(spec, after)
        except CalendarRangeError as exc:  # beyond the shipped holiday years: refuse to guess
            log.warning("workflow %s: trigger %s stops: %s", planned.workflow_id, spec.node_id, exc)
            wake = None
        if wake is None:
            planned.due.pop(spec.node_id, None)
        else:
            planned.due[spec.node_id] = wake


class Scheduler:
    def __init__(
        self,
        db: Database,
        runs: RunManager,
        host: PluginHost,
        audit: AuditRecorder,
        clock: Clock | None = None,
    ) -> None:
        self.db, self.runs, self.host, self.audit, self.clock = db, runs, host, audit, clock or _system_clock
        self.planned: dict[str, Planned] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Load every enabled activation (after a restart: resume them) and begin the loop."""
        query = (
            sa.select(Activation, User.username, WorkflowRevision.document)
            .join(Workflow, Workflow.id == Activation.workflow_id)
            .join(User, User.id == Activation.owner_id)
            .join(
                WorkflowRevision,
                sa.and_(
                    WorkflowRevision.workflow_id == Activation.workflow_id,
                    WorkflowRevision.number == Activation.revision,
                ),
            )
            .where(Activation.enabled, Workflow.deleted_at.is_(None))
        )
        async with self.db.session() as session:
            rows = (await session.execute(query)).all()
        now = self.clock()
        for activation, owner, document in rows:
            try:
                self.put(plan_activation(self.host, activation.workflow_id, owner, activation.revision, document, now))
            except ActivationProblem as exc:  # e.g. a plugin it needs is gone: report, keep the others
                log.error("workflow %s stays inactive: %s", activation.workflow_id, exc)
            if activation.last_fired_at is not None and activation.workflow_id in self.planned:
                log.info("workflow %s resumes; last fired %s", activation.workflow_id, activation.last_fired_at)
        self._task = asyncio.create_task(self._loop(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def put(self, planned: Planned) -> None:
        old = self.planned.get(planned.workflow_id)
        planned.running = old.running if old else None
        self.planned[planned.workflow_id] = planned
        self._changed.set()

    def recheck(self) -> None:
        """Look at the clock again now (it may have been moved, as tests do)."""
        self._changed.set()

    def remove(self, workflow_id: str) -> None:
        if self.planned.pop(workflow_id, None) is not None:
            self._changed.set()

    async def _loop(self) -> None:
        while True:
            self._changed.clear()
            try:
                await self.fire_due(self.clock())
            except Exception:  # one bad wake must not stop every other workflow's schedule
                log.exception("the scheduler could not fire")
            upcoming = [d for p in self.planned.values() if (d := p.next_due()) is not None]
            timeout = max(0.0, (min(upcoming) - self.clock()).total_seconds()) if upcoming else None
            try:
                await asyncio.wait_for(self._changed.wait(), timeout)
            except TimeoutError:
                pass

    async def fire_due(self, now: datetime) -> list[str]:
        """Start a run for every workflow with a wake at or before `now`; the ids of the runs started."""
        started = []
        for planned in list(self.planned.values()):
            fired = sorted((when, node) for node, when in planned.due.items() if when <= now)
            if not fired:
                continue
            when, node_id = fired[0]
            _advance(planned, max(now, when))
            if len(fired) > 1 or now - when > LATE:
                log.warning(
                    "workflow %s: woke at %s for %s (due %s); earlier wakes skipped",
                    planned.workflow_id,
                    now.isoformat(),
                    node_id,
                    when.isoformat(),
                )
            if planned.running in self.runs.live:
                log.warning(
                    "workflow %s: run %s still going at %s; this wake is skipped",
                    planned.workflow_id,
                    planned.running,
                    when.isoformat(),
                )
                continue
            run_id = await self._fire(planned, node_id, when, [n for _, n in fired])
            if run_id is not None:
                started.append(run_id)
        return started

    async def _fire(self, planned: Planned, node_id: str, when: datetime, nodes: list[str]) -> str | None:
        spec = next(t for t in planned.triggers if t.node_id == node_id)
        async with self.db.session() as session:
            activation = await session.get(Activation, planned.workflow_id)
            workflow = await session.get(Workflow, planned.workflow_id)
            if activation is None or not activation.enabled or workflow is None or workflow.deleted_at is not None:
                self.remove(planned.workflow_id)  # deactivated or deleted behind our back
                return None
            run = Run(
                id=uuid.uuid4().hex,
                workflow_id=planned.workflow_id,
                revision=planned.revision,
                owner_id=activation.owner_id,
                mode=SCHEDULED,
                status="queued",
            )
            session.add(run)
            activation.last_fired_at = when
            details = {
                "by": "scheduler",
                "run": run.id,
                "workflow": planned.workflow_id,
                "mode": SCHEDULED,
                "trigger": node_id,
                "at": when.isoformat(),
            }
            await self.audit.record(session, "run_started", None, details)
        wake = Wake(spec.kind, when, node_id, {"nodes": nodes})
        self.runs.start(run.id, planned.document, RunRequest(mode="manual"), planned.owner, wake=wake)
        planned.running = run.id
        return run.id
