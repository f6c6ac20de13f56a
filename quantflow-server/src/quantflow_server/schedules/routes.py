"""Activate a workflow (the scheduler fires its schedule and bar-close triggers), deactivate it,
and see what is activated and when each trigger fires next."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import sqlalchemy as sa
from litestar import Controller, get, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter
from quantflow.triggers import TriggerSpec

from quantflow_server.auth.principal import can_write
from quantflow_server.db.models import Activation, Workflow
from quantflow_server.db.types import utcnow
from quantflow_server.deps import Me, Session
from quantflow_server.errors import ProblemError
from quantflow_server.schedules.scheduler import ActivationProblem, Planned, Scheduler, plan_activation
from quantflow_server.schedules.schemas import ActivationOut, ActivationRequest, TriggerOut
from quantflow_server.workflows import service as workflows

WorkflowId = Annotated[str, PathParameter(max_length=64)]


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None  # as every other time in the API


def _out(workflow_id: str, row: Activation | None, planned: Planned | None) -> ActivationOut:
    triggers: list[TriggerSpec] = planned.triggers if planned else []
    due = planned.due if planned else {}
    return ActivationOut(
        workflow_id=workflow_id,
        enabled=bool(row and row.enabled),
        revision=row.revision if row else None,
        updated_at=row.updated_at if row else None,
        last_fired_at=row.last_fired_at if row else None,
        triggers=[
            TriggerOut(node_id=t.node_id, type=t.type_id, kind=t.kind.value, next_wake_at=_utc(due.get(t.node_id)))
            for t in triggers
        ],
    )


class ActivationController(Controller):
    tags = ["schedules"]

    @get("/api/workflows/{workflow_id:str}/activation", summary="Whether the scheduler fires this workflow")
    async def show(self, state: State, session: Session, me: Me, workflow_id: WorkflowId) -> ActivationOut:
        workflow = await workflows.get_workflow(session, me, workflow_id)
        scheduler: Scheduler = state.scheduler
        return _out(workflow.id, await session.get(Activation, workflow.id), scheduler.planned.get(workflow.id))

    @put(
        "/api/workflows/{workflow_id:str}/activation",
        guards=[can_write],
        summary="Activate (the scheduler fires its schedule and bar-close triggers) or deactivate",
    )
    async def change(
        self, state: State, session: Session, me: Me, workflow_id: WorkflowId, data: JSONBody[ActivationRequest]
    ) -> ActivationOut:
        workflow = await workflows.get_workflow(session, me, workflow_id)
        scheduler: Scheduler = state.scheduler
        row = await session.get(Activation, workflow.id)
        planned = None
        if data.enabled:
            revision = await workflows.runnable_revision(session, workflow, data.revision)
            owner = (await workflows.usernames(session, {workflow.owner_id}))[workflow.owner_id]
            try:
                planned = plan_activation(
                    state.host, workflow.id, owner, revision.number, revision.document, scheduler.clock()
                )
            except ActivationProblem as exc:
                raise ProblemError(422, str(exc), errors=[{"field": exc.field, "message": str(exc)}]) from None
        if row is None:
            row = Activation(workflow_id=workflow.id, owner_id=workflow.owner_id, revision=0, enabled=False)
            session.add(row)
        row.enabled, row.updated_at = data.enabled, utcnow()
        if planned is not None:
            row.revision = planned.revision
        action = "workflow_activated" if data.enabled else "workflow_deactivated"
        await state.audit.record(
            session, action, None, {"by": me.username, "workflow": workflow.id, "revision": row.revision}
        )
        await session.commit()  # the scheduler must never fire what the database does not say is active
        if planned is not None:
            scheduler.put(planned)
        else:
            scheduler.remove(workflow.id)
        return _out(workflow.id, row, planned)

    @get("/api/activations", summary="Activated workflows the caller may see, with their next wakes")
    async def list_active(self, state: State, session: Session, me: Me) -> list[ActivationOut]:
        query = (
            sa.select(Activation)
            .join(Workflow, Workflow.id == Activation.workflow_id)
            .where(Activation.enabled, workflows.visible(me))
            .order_by(Activation.workflow_id)
        )
        scheduler: Scheduler = state.scheduler
        rows = await session.scalars(query)
        return [_out(row.workflow_id, row, scheduler.planned.get(row.workflow_id)) for row in rows]
