"""Start, list, inspect and cancel runs; stream their events over a websocket."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from litestar import Controller, Response, WebSocket, get, post, websocket
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, WebSocketDisconnect
from litestar.params import JSONBody, PathParameter, QueryParameter
from quantflow.backtest import BacktestResult, render_html

from quantflow_server.auth.principal import Principal, can_write
from quantflow_server.db.models import Run, RunEvent, RunResult, User
from quantflow_server.deps import Me, Session
from quantflow_server.errors import ProblemError
from quantflow_server.runs.backtest import pace_problem, period_problem
from quantflow_server.runs.journal import Journal
from quantflow_server.runs.manager import ACTIVE
from quantflow_server.runs.schemas import RunOut, RunRequest
from quantflow_server.workflows import service as workflows

RunId = Annotated[str, PathParameter(max_length=64)]
Status = Literal["queued", "running", "succeeded", "failed", "cancelled", "interrupted"]


def _visible(me: Me) -> sa.ColumnElement[bool]:
    return sa.true() if me.is_admin else Run.owner_id == me.id


async def _get_run(session: Session, me: Me, run_id: str) -> Run:
    row = await session.scalar(sa.select(Run).where(Run.id == run_id, _visible(me)))
    if row is None:
        raise NotFoundException(f"no run {run_id!r}")
    return row


async def _result(session: Session, me: Me, run_id: str) -> RunResult:
    run = await _get_run(session, me, run_id)
    row = await session.get(RunResult, run.id)
    if row is None:
        raise NotFoundException(f"run {run_id!r} has no result (only finished backtest and paper runs have one)")
    return row


def _out(run: Run, owner: str) -> RunOut:
    return RunOut(
        id=run.id,
        workflow_id=run.workflow_id,
        revision=run.revision,
        owner=owner,
        mode=run.mode,
        status=run.status,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        error=run.error,
        summary=run.summary,
    )


class RunController(Controller):
    tags = ["runs"]

    @post("/api/workflows/{workflow_id:str}/runs", guards=[can_write], summary="Start a run in the background")
    async def start(
        self,
        state: State,
        session: Session,
        me: Me,
        workflow_id: Annotated[str, PathParameter(max_length=64)],
        data: JSONBody[RunRequest],
    ) -> RunOut:
        workflow = await workflows.get_workflow(session, me, workflow_id)
        revision = await workflows.runnable_revision(session, workflow, data.revision)
        if data.mode != "manual" and (why := period_problem(data.start, data.end)) is not None:
            raise ProblemError(422, why, errors=[{"field": "start" if "start" in why else "end", "message": why}])
        if (why := pace_problem(data)) is not None:
            raise ProblemError(422, why, errors=[{"field": "pace_ms", "message": why}])
        run = Run(
            id=uuid.uuid4().hex,
            workflow_id=workflow.id,
            revision=revision.number,
            owner_id=me.id,
            mode=data.mode,
            status="queued",
        )
        session.add(run)
        await state.audit.record(
            session, "run_started", None, {"by": me.username, "run": run.id, "workflow": workflow.id, "mode": data.mode}
        )
        await session.commit()  # the background task writes events that reference this row
        state.runs.start(run.id, revision.document, data, me.username)
        return _out(run, me.username)

    @get("/api/runs", summary="Runs the caller may see, newest first")
    async def list_runs(
        self,
        session: Session,
        me: Me,
        workflow_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        status: Annotated[Status | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
    ) -> list[RunOut]:
        query = sa.select(Run, User.username).join(User, User.id == Run.owner_id).where(_visible(me))
        if workflow_id is not None:
            query = query.where(Run.workflow_id == workflow_id)
        if status is not None:
            query = query.where(Run.status == status)
        rows = await session.execute(query.order_by(Run.created_at.desc(), Run.id).limit(limit).offset(offset))
        return [_out(run, owner) for run, owner in rows.all()]

    @get("/api/runs/{run_id:str}", summary="One run's status")
    async def read(self, session: Session, me: Me, run_id: RunId) -> RunOut:
        run = await _get_run(session, me, run_id)
        owner = await session.scalar(sa.select(User.username).where(User.id == run.owner_id))
        return _out(run, owner or "")

    @get("/api/runs/{run_id:str}/events", summary="Every persisted event of a run, in order")
    async def events(self, session: Session, me: Me, run_id: RunId) -> list[dict[str, Any]]:
        run = await _get_run(session, me, run_id)
        rows = await session.scalars(sa.select(RunEvent.data).where(RunEvent.run_id == run.id).order_by(RunEvent.seq))
        return list(rows)

    @get("/api/runs/{run_id:str}/result", summary="A backtest's or paper run's full result (BacktestResult JSON)")
    async def result(self, session: Session, me: Me, run_id: RunId) -> Response[bytes]:
        row = await _result(session, me, run_id)
        headers = {"X-QuantFlow-Synthetic-Data": "true" if row.synthetic else "false"}
        return Response(row.result.encode("utf-8"), media_type="application/json", headers=headers)

    @get("/api/runs/{run_id:str}/report", summary="The self-contained HTML report of a backtest or paper run")
    async def report(self, session: Session, me: Me, run_id: RunId) -> Response[str]:
        row = await _result(session, me, run_id)
        title = "Backtest on SYNTHETIC data (not real prices)" if row.synthetic else "Backtest"
        html = render_html(BacktestResult.model_validate_json(row.result), title=title)
        return Response(html, media_type="text/html; charset=utf-8")

    @post("/api/runs/{run_id:str}/cancel", guards=[can_write], status_code=202, summary="Ask a running run to stop")
    async def cancel(self, state: State, session: Session, me: Me, run_id: RunId) -> RunOut:
        run = await _get_run(session, me, run_id)
        if not state.runs.cancel(run.id):
            raise ProblemError(409, f"the run is {run.status}, not running", title="Not running")
        await state.audit.record(session, "run_cancel_requested", None, {"by": me.username, "run": run.id})
        owner = await session.scalar(sa.select(User.username).where(User.id == run.owner_id))
        return _out(run, owner or "")


async def _notice_disconnect(socket: WebSocket[Principal, Any, Any], wake: asyncio.Event) -> None:
    """Clients send nothing, so receiving only ever yields their disconnect: waking the subscriber
    then frees it during a quiet run, not at the run's next event."""
    try:
        while (await socket.receive())["type"] != "websocket.disconnect":
            pass
    except (WebSocketDisconnect, OSError):
        pass
    wake.set()  # after this the task is done: the follower reads that as "the client left"


async def _follow(socket: WebSocket[Principal, Any, Any], journal: Journal) -> None:
    """Send every event from the first on, as frames of consecutive events, until the run ends (then
    close 1000) or the client leaves. The cursor makes the seam between replay and live exact."""
    wake = asyncio.Event()
    journal.subscribers.add(wake)
    watcher = asyncio.create_task(_notice_disconnect(socket, wake))
    # The ASGI send itself (behind Litestar's check that the socket is still open), not send_text:
    # its two wrappers cost a tenth of the server's CPU under 500 subscribers.
    send = socket.send
    cursor = 0
    try:
        while not watcher.done():
            wake.clear()  # before reading the journal: an event appended from here on wakes us again
            frames, cursor = journal.frames(cursor)
            for frame in frames:
                await send({"type": "websocket.send", "bytes": None, "text": frame})
            if journal.closed and cursor == len(journal):
                await socket.close(code=1000)
                return
            await wake.wait()
    finally:
        journal.subscribers.discard(wake)
        watcher.cancel()


@websocket("/ws/runs/{run_id:str}")
async def run_events_socket(socket: WebSocket[Principal, Any, Any], run_id: RunId) -> None:
    """Every message is a JSON array of consecutive events in `seq` order: first the run so far, then
    new events as they come; closes (1000) when the run has ended and everything was sent."""
    me, state = socket.user, socket.app.state
    async with state.db.sessions() as session:
        row = (await session.execute(sa.select(Run.id, Run.status).where(Run.id == run_id[:64], _visible(me)))).first()
    await socket.accept()
    if row is None:
        await socket.close(code=4404, reason="no such run")
        return
    try:
        journal = await state.runs.journal(row.id, finished=row.status not in ACTIVE)
        await _follow(socket, journal)
    except (WebSocketDisconnect, OSError):  # the client left mid-send (uvicorn's ClientDisconnected)
        return
