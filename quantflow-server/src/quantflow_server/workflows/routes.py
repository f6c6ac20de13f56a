"""The workflow endpoints. Reads are open to the owner (and admins); writes need the trader role."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.params import JSONBody, PathParameter, QueryParameter
from quantflow.workflow import validate

from quantflow_server.auth.principal import can_write
from quantflow_server.db.models import Workflow, WorkflowRevision
from quantflow_server.db.types import utcnow
from quantflow_server.deps import Me, Session
from quantflow_server.workflows import service as svc
from quantflow_server.workflows.diff import diff_documents
from quantflow_server.workflows.schemas import (
    DiffOut,
    RestoreRequest,
    RevisionDetail,
    RevisionOut,
    ValidationOut,
    WorkflowCreate,
    WorkflowOut,
    WorkflowSummary,
    WorkflowUpdate,
)

RevisionNumber = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
WorkflowId = Annotated[str, PathParameter(max_length=64)]


class WorkflowController(Controller):
    path = "/api/workflows"
    tags = ["workflows"]

    @get("/", summary="Workflows the caller may see")
    async def list_workflows(self, session: Session, me: Me) -> list[WorkflowSummary]:
        rows = list(
            await session.scalars(sa.select(Workflow).where(svc.visible(me)).order_by(Workflow.updated_at.desc()))
        )
        names = await svc.usernames(session, {w.owner_id for w in rows})
        return [svc.summary(w, names[w.owner_id]) for w in rows]

    @post("/", guards=[can_write], summary="Create a workflow (revision 1)")
    async def create(self, state: State, session: Session, me: Me, data: JSONBody[WorkflowCreate]) -> WorkflowOut:
        return await self._create(state, session, me, data.document, data.message, data.draft)

    @post("/import", guards=[can_write], summary="Import a workflow JSON document as a new workflow")
    async def import_document(
        self,
        state: State,
        session: Session,
        me: Me,
        data: JSONBody[dict[str, Any]],
        draft: Annotated[bool, QueryParameter()] = False,
    ) -> WorkflowOut:
        return await self._create(state, session, me, data, "imported", draft)

    async def _create(
        self, state: State, session: Session, me: Me, document: Any, message: str, draft: bool
    ) -> WorkflowOut:
        normalised, problems = svc.check_document(state.host, document, draft=draft)
        workflow, revision = await svc.create_workflow(session, me, normalised, message, draft)
        await state.audit.record(
            session, "workflow_saved", None, {"by": me.username, "workflow": workflow.id, "revision": 1}
        )
        return svc.detail(workflow, me.username, revision, problems)

    @post("/validate", summary="Validate a workflow document without saving it", status_code=200)
    async def validate_document(self, state: State, data: JSONBody[dict[str, Any]]) -> ValidationOut:
        result = validate(data, state.host.registry.node_types)
        return ValidationOut(ok=result.ok, problems=[p.model_dump(mode="json") for p in result.problems])

    @get("/{workflow_id:str}", summary="A workflow at its newest revision")
    async def read(self, state: State, session: Session, me: Me, workflow_id: WorkflowId) -> WorkflowOut:
        workflow, revision, owner = await svc.get_head(session, me, workflow_id)
        return svc.detail(workflow, owner, revision, state.problems.of(revision))

    @put("/{workflow_id:str}", guards=[can_write], summary="Save a new revision (409 if base_revision is stale)")
    async def update(
        self, state: State, session: Session, me: Me, workflow_id: WorkflowId, data: JSONBody[WorkflowUpdate]
    ) -> WorkflowOut:
        workflow = await svc.get_workflow(session, me, workflow_id)
        normalised, problems = svc.check_document(state.host, data.document, draft=data.draft)
        revision = await svc.add_revision(
            session, me, workflow, data.base_revision, normalised, data.message, data.draft
        )
        await state.audit.record(
            session, "workflow_saved", None, {"by": me.username, "workflow": workflow.id, "revision": revision.number}
        )
        names = await svc.usernames(session, {workflow.owner_id})
        return svc.detail(workflow, names[workflow.owner_id], revision, problems)

    @delete("/{workflow_id:str}", guards=[can_write], summary="Delete a workflow (its revisions stay for the record)")
    async def remove(self, state: State, session: Session, me: Me, workflow_id: WorkflowId) -> None:
        workflow = await svc.get_workflow(session, me, workflow_id)
        workflow.deleted_at = utcnow()
        await state.audit.record(session, "workflow_deleted", None, {"by": me.username, "workflow": workflow.id})
        await session.commit()
        state.scheduler.remove(workflow.id)  # a deleted workflow never wakes again

    @get("/{workflow_id:str}/revisions", summary="Every revision, newest first")
    async def revisions(self, session: Session, me: Me, workflow_id: WorkflowId) -> list[RevisionOut]:
        workflow = await svc.get_workflow(session, me, workflow_id)
        rows = list(
            await session.scalars(
                sa.select(WorkflowRevision)
                .where(WorkflowRevision.workflow_id == workflow.id)
                .order_by(WorkflowRevision.number.desc())
            )
        )
        names = await svc.usernames(session, {r.author_id for r in rows})
        return [svc.revision_out(r, names[r.author_id]) for r in rows]

    @get("/{workflow_id:str}/revisions/{number:int}", summary="One revision with its document")
    async def revision(
        self, session: Session, me: Me, workflow_id: WorkflowId, number: RevisionNumber
    ) -> RevisionDetail:
        workflow = await svc.get_workflow(session, me, workflow_id)
        row = await svc.get_revision(session, workflow, number)
        names = await svc.usernames(session, {row.author_id})
        return RevisionDetail(**svc.revision_out(row, names[row.author_id]).model_dump(), document=row.document)

    @post(
        "/{workflow_id:str}/revisions/{number:int}/restore",
        guards=[can_write],
        summary="Save an old revision's document as the newest revision",
    )
    async def restore(
        self,
        state: State,
        session: Session,
        me: Me,
        workflow_id: WorkflowId,
        number: RevisionNumber,
        data: JSONBody[RestoreRequest],
    ) -> WorkflowOut:
        workflow = await svc.get_workflow(session, me, workflow_id)
        old = await svc.get_revision(session, workflow, number)
        message = data.message or f"restore revision {number}"
        revision = await svc.add_revision(session, me, workflow, data.base_revision, old.document, message, old.draft)
        await state.audit.record(
            session,
            "workflow_restored",
            None,
            {"by": me.username, "workflow": workflow.id, "from": number, "revision": revision.number},
        )
        problems = validate(old.document, state.host.registry.node_types).problems
        names = await svc.usernames(session, {workflow.owner_id})
        return svc.detail(workflow, names[workflow.owner_id], revision, [p.model_dump(mode="json") for p in problems])

    @get("/{workflow_id:str}/diff", summary="Structural diff between two revisions")
    async def diff(
        self,
        session: Session,
        me: Me,
        workflow_id: WorkflowId,
        from_revision: Annotated[int, QueryParameter(name="from", ge=1, le=2**31 - 1)],
        to_revision: Annotated[int, QueryParameter(name="to", ge=1, le=2**31 - 1)],
    ) -> DiffOut:
        workflow = await svc.get_workflow(session, me, workflow_id)
        a = await svc.get_revision(session, workflow, from_revision)
        b = await svc.get_revision(session, workflow, to_revision)
        return diff_documents(a.document, b.document, a.number, b.number)

    @get("/{workflow_id:str}/export", summary="The workflow JSON document (newest or a given revision)")
    async def export(
        self,
        session: Session,
        me: Me,
        workflow_id: WorkflowId,
        revision: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    ) -> Response[dict[str, Any]]:
        workflow = await svc.get_workflow(session, me, workflow_id)
        row = await svc.get_revision(session, workflow, revision or workflow.head_revision)
        filename = f"{row.document.get('id', workflow.id)}.json"
        return Response(row.document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
