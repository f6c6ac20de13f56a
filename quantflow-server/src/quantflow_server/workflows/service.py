"""Workflow storage rules: validation before save, ownership, revisions, optimistic concurrency."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from litestar.exceptions import NotFoundException
from pydantic import ValidationError
from quantflow.plugins.host import PluginHost
from quantflow.workflow import Workflow as WorkflowDocument
from quantflow.workflow import validate
from sqlalchemy.ext.asyncio import AsyncSession

from quantflow_server.auth.principal import Principal
from quantflow_server.db.models import User, Workflow, WorkflowRevision
from quantflow_server.db.types import utcnow
from quantflow_server.errors import ProblemError
from quantflow_server.text import NUL_MESSAGE, nul_path
from quantflow_server.workflows.schemas import RevisionOut, WorkflowOut, WorkflowSummary


def check_document(host: PluginHost, document: Any, *, draft: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The normalised document and its problems; 422 if it may not be stored.

    A draft may have graph errors, but it must still be a workflow document (else there would be
    nothing to show on the canvas); a non-draft must have no error at all.
    """
    if (where := nul_path(document, "document")) is not None:
        errors = [{"field": where, "message": NUL_MESSAGE, "source": "body"}]
        raise ProblemError(422, f"{where} {NUL_MESSAGE}", errors=errors)
    result = validate(document, host.registry.node_types)
    problems = [p.model_dump(mode="json") for p in result.problems]
    try:
        workflow = result.workflow or WorkflowDocument.model_validate(document)
    except ValidationError:
        workflow = None
    if workflow is None or (not draft and not result.ok):
        raise ProblemError(
            422,
            f"the workflow has {len(result.errors)} error(s)"
            + ("" if workflow is None else "; fix them or save it as a draft"),
            title="Invalid workflow",
            problems=problems,
        )
    return workflow.model_dump(mode="json"), problems


def visible(me: Principal) -> sa.ColumnElement[bool]:
    """Rows the caller may see: its own, or all for an admin."""
    alive = Workflow.deleted_at.is_(None)
    return alive if me.is_admin else sa.and_(alive, Workflow.owner_id == me.id)


async def get_workflow(session: AsyncSession, me: Principal, workflow_id: str) -> Workflow:
    """The workflow, or 404 — also for someone else's, so ids of others' workflows leak nothing."""
    row = await session.scalar(sa.select(Workflow).where(Workflow.id == workflow_id, visible(me)))
    if row is None:
        raise NotFoundException(f"no workflow {workflow_id!r}")
    return row


async def get_head(session: AsyncSession, me: Principal, workflow_id: str) -> tuple[Workflow, WorkflowRevision, str]:
    """The workflow, its newest revision and its owner's name in one query (the hot read path: every
    query is a round trip to the database's thread), or 404 like `get_workflow`."""
    row = (
        await session.execute(
            sa.select(Workflow, WorkflowRevision, User.username)
            .join(
                WorkflowRevision,
                sa.and_(WorkflowRevision.workflow_id == Workflow.id, WorkflowRevision.number == Workflow.head_revision),
            )
            .join(User, User.id == Workflow.owner_id)
            .where(Workflow.id == workflow_id, visible(me))
        )
    ).first()
    if row is None:
        raise NotFoundException(f"no workflow {workflow_id!r}")
    return row[0], row[1], row[2]


async def get_revision(session: AsyncSession, workflow: Workflow, number: int) -> WorkflowRevision:
    row = await session.scalar(
        sa.select(WorkflowRevision).where(
            WorkflowRevision.workflow_id == workflow.id, WorkflowRevision.number == number
        )
    )
    if row is None:
        raise NotFoundException(f"workflow {workflow.id!r} has no revision {number}")
    return row


async def runnable_revision(session: AsyncSession, workflow: Workflow, number: int | None) -> WorkflowRevision:
    """Revision `number` (default the newest), or 422 when it is a draft: a draft never runs."""
    revision = await get_revision(session, workflow, number or workflow.head_revision)
    if revision.draft:
        raise ProblemError(
            422,
            f"revision {revision.number} is a draft; fix its errors and save it first",
            errors=[{"field": "revision", "message": "draft"}],
        )
    return revision


async def create_workflow(
    session: AsyncSession, me: Principal, document: dict[str, Any], message: str, draft: bool
) -> tuple[Workflow, WorkflowRevision]:
    now = utcnow()
    workflow = Workflow(
        id=uuid.uuid4().hex,
        owner_id=me.id,
        name=document["name"],
        head_revision=1,
        draft=draft,
        created_at=now,
        updated_at=now,
    )
    session.add(workflow)
    await session.flush()
    revision = await _store_revision(session, me, workflow.id, 1, document, message, draft, now)
    return workflow, revision


async def _store_revision(
    session: AsyncSession,
    me: Principal,
    workflow_id: str,
    number: int,
    document: dict[str, Any],
    message: str,
    draft: bool,
    now: datetime,
) -> WorkflowRevision:
    """The one place a revision row is written: a workflow's first save and every later one."""
    revision = WorkflowRevision(
        workflow_id=workflow_id,
        number=number,
        document=document,
        author_id=me.id,
        message=message,
        draft=draft,
        created_at=now,
    )
    session.add(revision)
    await session.flush()
    return revision


async def add_revision(
    session: AsyncSession,
    me: Principal,
    workflow: Workflow,
    base: int,
    document: dict[str, Any],
    message: str,
    draft: bool,
) -> WorkflowRevision:
    """Append revision base+1, or 409 if someone saved since `base` (checked in the UPDATE itself,
    so two concurrent saves from the same base cannot both win)."""
    now = utcnow()
    updated = await session.execute(
        sa.update(Workflow)
        .where(Workflow.id == workflow.id, Workflow.head_revision == base)
        .values(head_revision=base + 1, name=document["name"], draft=draft, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(workflow)
        raise ProblemError(
            409,
            f"revision {base} is stale: the workflow is at revision {workflow.head_revision}; reload and retry",
            title="Stale revision",
            head_revision=workflow.head_revision,
            errors=[{"field": "base_revision", "message": "stale"}],
        )
    revision = await _store_revision(session, me, workflow.id, base + 1, document, message, draft, now)
    await session.refresh(workflow)
    return revision


async def usernames(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    rows = await session.execute(sa.select(User.id, User.username).where(User.id.in_(ids)))
    return {i: name for i, name in rows.all()}


def summary(workflow: Workflow, owner: str) -> WorkflowSummary:
    return WorkflowSummary(
        id=workflow.id,
        name=workflow.name,
        owner=owner,
        head_revision=workflow.head_revision,
        draft=workflow.draft,
        created_at=workflow.created_at,
        updated_at=workflow.updated_at,
    )


def detail(workflow: Workflow, owner: str, revision: WorkflowRevision, problems: list[dict[str, Any]]) -> WorkflowOut:
    return WorkflowOut(**summary(workflow, owner).model_dump(), document=revision.document, problems=problems)


def revision_out(revision: WorkflowRevision, author: str) -> RevisionOut:
    return RevisionOut(
        number=revision.number,
        author=author,
        created_at=revision.created_at,
        message=revision.message,
        draft=revision.draft,
    )
