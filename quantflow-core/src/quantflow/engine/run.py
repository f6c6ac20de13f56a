"""Executes a compiled plan with anyio.

A node starts as soon as all its inputs are ready, so independent async branches run
concurrently without waiting for a whole generation. Sync nodes run in the task that made them
ready and async ones get tasks of their own: a chain or a fan-out of sync nodes costs no task
switches. A failed node's dependants are skipped with the reason; cancelling
skips everything not yet finished.

`concurrent=False` runs those chains one after another in the caller's task, in the order the
concurrent engine starts them (first in, first out). For nodes that never wait on anything outside
the process (a backtest's data, clock and paper broker) that is exactly the order of a concurrent
run, without a task group and a task per chain on every bar; `cancel()` then takes effect between
chains (a node that is waiting is not interrupted). Events are only built when someone subscribed.
"""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import anyio
from anyio.abc import TaskGroup

from quantflow.engine.cache import OutputCache
from quantflow.engine.context import RunContext
from quantflow.engine.events import (
    NodeFailed,
    NodeFinished,
    NodeSkipped,
    NodeStarted,
    RunEvent,
    RunFinished,
    RunStarted,
    RunStatus,
)
from quantflow.engine.plan import Plan, Step

Subscriber = Callable[[RunEvent], None]
_fresh_keys = itertools.count()


class NodeState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class NodeOutputError(Exception):
    """A node returned something other than its declared outputs."""


@dataclass(slots=True)
class RunResult:
    run_id: str
    status: RunStatus
    states: dict[str, NodeState]
    outputs: dict[str, Mapping[str, Any]]
    errors: dict[str, str] = field(default_factory=dict)
    duration_ms: float = 0.0


class Run:
    """One execution of a plan. Subscribe before `execute()`; `cancel()` may come from any task."""

    def __init__(
        self,
        plan: Plan,
        ctx: RunContext,
        *,
        cache: OutputCache | None = None,
        node_timeout: float | None = None,
        concurrent: bool = True,
    ) -> None:
        self.plan = plan
        self.concurrent = concurrent
        self.ctx = ctx
        self.cache = cache
        self.node_timeout = node_timeout
        self._subscribers: list[Subscriber] = []
        n = len(plan.steps)
        self._waiting = [step.n_dependencies for step in plan.steps]
        self._states = [NodeState.PENDING] * n
        self._outputs: list[Mapping[str, Any] | None] = [None] * n
        self._keys: list[Hashable] = [None] * n
        self._errors: dict[str, str] = {}
        self._scope: anyio.CancelScope | None = None
        self._cancel_requested = False
        self._later: deque[Step] | None = None  # chains waiting their turn when not concurrent

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    def cancel(self) -> None:
        self._cancel_requested = True
        if self._scope is not None:
            self._scope.cancel()

    def _emit(self, event: RunEvent) -> None:
        for subscriber in self._subscribers:
            subscriber(event)

    async def execute(self) -> RunResult:
        run_id, started = self.ctx.run_id, time.perf_counter()
        if self._subscribers:
            self._emit(RunStarted(run_id, time.time(), len(self.plan.steps)))
        if self.concurrent:
            with anyio.CancelScope() as scope:
                self._scope = scope
                if self._cancel_requested:
                    scope.cancel()
                async with anyio.create_task_group() as tg:
                    for step in self.plan.steps:
                        if step.n_dependencies == 0:
                            tg.start_soon(self._chain, tg, step)
            cancelled = scope.cancel_called
        else:  # no scope to enter and leave on every bar: `cancel()` is seen between chains
            await self._one_by_one()
            cancelled = self._cancel_requested
        states, steps = self._states, self.plan.steps
        if NodeState.PENDING in states or NodeState.RUNNING in states:  # (only after a cancel)
            for step in steps:
                if states[step.position] in (NodeState.PENDING, NodeState.RUNNING):
                    self._skip(step, "the run was cancelled")
        failed = states.count(NodeState.FAILED)
        status = RunStatus.CANCELLED if cancelled else RunStatus.FAILED if failed else RunStatus.SUCCEEDED
        duration = (time.perf_counter() - started) * 1000
        if self._subscribers:
            self._emit(
                RunFinished(
                    run_id, time.time(), status, duration,
                    states.count(NodeState.SUCCEEDED), failed, states.count(NodeState.SKIPPED),
                )
            )
        return RunResult(
            run_id=run_id,
            status=status,
            states={s.node_id: states[s.position] for s in steps},
            outputs={s.node_id: o for s in steps if (o := self._outputs[s.position]) is not None},
            errors=dict(self._errors),
            duration_ms=duration,
        )

    async def _one_by_one(self) -> None:
        """The chains of a concurrent run, each to its end before the next starts, in the order
        a task group would have started them."""
        later = self._later = deque(step for step in self.plan.steps if step.n_dependencies == 0)
        while later and not self._cancel_requested:
            await self._chain(None, later.popleft())

    async def _chain(self, tg: TaskGroup | None, first: Step) -> None:
        """Run `first`, then whatever it makes ready. Sync nodes gain nothing from a task of their
        own (they hold the event loop either way), so they run here, one after another; a newly
        ready async node gets its own task unless it is the only work left for this one."""
        steps, queue, waiting, states = self.plan.steps, [first], self._waiting, self._states
        pending = NodeState.PENDING
        while queue:
            step = queue.pop()
            ok = await self._run_step(step)
            if not step.dependants:
                continue
            ready = []
            for d in step.dependants:
                if not ok:
                    self._skip_downstream(steps[d], f"upstream node {step.node_id!r} did not succeed")
                    continue
                waiting[d] -= 1
                if waiting[d] == 0 and states[d] is pending:
                    ready.append(steps[d])
            if len(ready) == 1 and not queue:  # the usual chain: the next node runs here
                queue.append(ready[0])
                continue
            for candidate in reversed(ready):  # reversed: the queue pops in dependant order
                if candidate.spec.is_async and (queue or len(ready) > 1):
                    if tg is None:
                        assert self._later is not None
                        self._later.append(candidate)
                    else:
                        tg.start_soon(self._chain, tg, candidate)
                else:
                    queue.append(candidate)

    async def _run_step(self, step: Step) -> bool:
        i, node_id, spec = step.position, step.node_id, step.spec
        self._states[i] = NodeState.RUNNING
        if self._subscribers:
            self._emit(NodeStarted(self.ctx.run_id, time.time(), node_id))
        started = time.perf_counter() if self._subscribers else 0.0
        outputs_of, inputs = self._outputs, {}
        for wiring in step.inputs:  # (`_gather`, inline: it runs for every node of every bar)
            if wiring.multiple:
                inputs[wiring.name] = [outputs_of[s][port] for s, port in wiring.sources]  # type: ignore[index]
            else:
                source, port = wiring.sources[0]
                inputs[wiring.name] = outputs_of[source][port]  # type: ignore[index]
        key: Hashable = None
        try:
            if self.cache is not None and spec.cacheable:
                key = (spec.type_id, spec.version, step.params.model_dump_json(), self._input_keys(step))
                cached = self.cache.get(key)
                if cached is not None:
                    return self._succeed(step, cached, key, started, cached=True)
            ctx = self.ctx.for_node(node_id) if spec.stateful else self.ctx
            if self.node_timeout is not None and spec.is_async:
                with anyio.fail_after(self.node_timeout):
                    outputs = await spec.invoke(ctx, step.params, inputs)
            else:
                outputs = spec.invoke(ctx, step.params, inputs)
                if spec.is_async:
                    outputs = await outputs
            if type(outputs) is not dict or not outputs.keys() >= spec.outputs.keys():
                _check_outputs(step, outputs)
        except TimeoutError:
            return self._fail(step, started, "TimeoutError", f"did not finish within {self.node_timeout} s")
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:
            self.ctx.logger.exception("node %s (%s) failed", node_id, spec.type_id)
            return self._fail(step, started, type(exc).__name__, str(exc) or type(exc).__name__)
        if key is not None:
            self.cache.put(key, outputs)  # type: ignore[union-attr]
        elif self.cache is not None:  # output keys only matter to the cache (downstream input keys)
            key = ("fresh", next(_fresh_keys))
        if self._subscribers or key is not None:
            return self._succeed(step, outputs, key, started, cached=False)
        self._outputs[i] = outputs  # `_succeed` without events or keys to keep
        self._states[i] = NodeState.SUCCEEDED
        return True

    def _succeed(self, step: Step, outputs: Mapping[str, Any], key: Hashable, started: float, *, cached: bool) -> bool:
        self._outputs[step.position] = outputs
        self._keys[step.position] = key
        self._states[step.position] = NodeState.SUCCEEDED
        if self._subscribers:
            self._emit(NodeFinished(self.ctx.run_id, time.time(), step.node_id, (time.perf_counter() - started) * 1000, cached))
        return True

    def _fail(self, step: Step, started: float, error_type: str, message: str) -> bool:
        self._states[step.position] = NodeState.FAILED
        self._errors[step.node_id] = f"{error_type}: {message}"
        self._emit(NodeFailed(self.ctx.run_id, time.time(), step.node_id, (time.perf_counter() - started) * 1000, error_type, message))
        return False

    def _input_keys(self, step: Step) -> tuple[Hashable, ...]:
        keys = self._keys
        return tuple((w.name, tuple((keys[s], p) for s, p in w.sources)) for w in step.inputs)

    def _skip(self, step: Step, reason: str) -> None:
        self._states[step.position] = NodeState.SKIPPED
        self._emit(NodeSkipped(self.ctx.run_id, time.time(), step.node_id, reason))

    def _skip_downstream(self, step: Step, reason: str) -> None:
        pending = [step]
        while pending:
            current = pending.pop()
            if self._states[current.position] is not NodeState.PENDING:
                continue
            self._skip(current, reason)
            pending.extend(self.plan.steps[d] for d in current.dependants)


def _check_outputs(step: Step, outputs: Any) -> None:
    declared = step.spec.outputs
    if type(outputs) is not dict and not isinstance(outputs, Mapping):
        raise NodeOutputError(
            f"returned {type(outputs).__name__}, expected a dict of outputs {sorted(declared)}"
        )
    missing = [name for name in declared if name not in outputs]
    if missing:
        raise NodeOutputError(f"did not return output(s) {missing}")


async def execute(
    plan: Plan,
    ctx: RunContext,
    subscribers: Iterable[Subscriber] = (),
    *,
    cache: OutputCache | None = None,
    node_timeout: float | None = None,
    concurrent: bool = True,
) -> RunResult:
    """Run a plan once and return its result (the short form of `Run(...).execute()`)."""
    run = Run(plan, ctx, cache=cache, node_timeout=node_timeout, concurrent=concurrent)
    for subscriber in subscribers:
        run.subscribe(subscriber)
    return await run.execute()
