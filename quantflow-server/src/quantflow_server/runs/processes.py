"""The server side of worker processes: at most `size` runs compute at once, each in its own spawned
process whose messages a reader thread forwards to the event loop.

A process per run (not a reused pool) keeps cancel and crash simple: cancelling terminates the
process, and a process that dies closes its pipe, which ends the run as failed with the reason.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import anyio

from quantflow_server.runs import worker
from quantflow_server.runs.worker import Job, Outcome

STOP_GRACE_S = 5.0  # after SIGTERM, before SIGKILL
_CONTEXT = multiprocessing.get_context("spawn")  # never fork a process that runs threads and an event loop


class RunFailed(Exception):
    """The run could not finish; the message is the run's error as shown to users."""


def _forward(conn: Connection, loop: asyncio.AbstractEventLoop, inbox: asyncio.Queue[Any]) -> None:
    """Reader thread: every message onto the loop, then None once the pipe closes (done or dead)."""
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = None
            try:
                loop.call_soon_threadsafe(inbox.put_nowait, message)
            except RuntimeError:  # the loop is gone: nobody is listening any more
                return
            if message is None or message[0] != "event":
                return
    finally:
        conn.close()


def _death(process: BaseProcess) -> str:
    code = process.exitcode
    if code is None:
        return "the worker process stopped reporting without exiting"
    if code < 0:
        return f"the worker process was killed by {signal.Signals(-code).name} before the run finished"
    return f"the worker process exited with code {code} before the run finished"


def _stop(process: BaseProcess) -> None:
    """Blocking: terminate, wait, kill if it ignores SIGTERM."""
    if process.pid is None:  # never started
        return
    if process.is_alive():
        process.terminate()
        process.join(STOP_GRACE_S)
    if process.is_alive():
        process.kill()
    process.join()


class WorkerPool:
    def __init__(self, size: int) -> None:
        self.size = size
        self._slots = asyncio.Semaphore(size)
        self.processes: dict[str, BaseProcess] = {}  # run id -> its worker, while it runs

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Waits (the run stays `queued`) until fewer than `size` runs compute."""
        async with self._slots:
            yield

    async def run(self, job: Job, publish: Callable[[dict[str, Any]], None]) -> Outcome:
        """Run `job` in a new process; progress goes to `publish`. Cancelling this stops the process."""
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(target=worker.main, args=(job, sender), name=f"quantflow-run-{job.run_id}")
        process.daemon = True  # never outlives the server, whatever happens
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        self.processes[job.run_id] = process
        reading = False
        try:
            try:
                await anyio.to_thread.run_sync(process.start)  # pickles the job, starts the interpreter
            finally:
                sender.close()  # the child has its copy: the pipe closes when the child exits
            loop = asyncio.get_running_loop()
            threading.Thread(
                target=_forward, args=(receiver, loop, inbox), name=f"run-{job.run_id}", daemon=True
            ).start()
            reading = True
            while True:
                message = await inbox.get()
                if message is None:
                    await anyio.to_thread.run_sync(process.join, STOP_GRACE_S)
                    raise RunFailed(_death(process))
                kind, body = message
                if kind == "event":
                    publish(body)
                elif kind == "done":
                    return body  # type: ignore[no-any-return]
                else:
                    raise RunFailed(str(body))
        finally:
            if not reading:
                receiver.close()
            del self.processes[job.run_id]
            await asyncio.shield(anyio.to_thread.run_sync(_stop, process))

    def shutdown(self) -> None:
        """The server is going away: no worker may outlive it (runs are cancelled first; this is the net)."""
        for process in list(self.processes.values()):
            _stop(process)
