"""The execution engine: compile a validated workflow once, run it many times."""

from quantflow.engine.cache import OutputCache
from quantflow.engine.context import RunContext, RunMode
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
from quantflow.engine.plan import Plan, compile_plan
from quantflow.engine.run import NodeState, Run, RunResult, execute

__all__ = [
    "NodeFailed",
    "NodeFinished",
    "NodeSkipped",
    "NodeStarted",
    "NodeState",
    "OutputCache",
    "Plan",
    "Run",
    "RunContext",
    "RunEvent",
    "RunFinished",
    "RunMode",
    "RunResult",
    "RunStarted",
    "RunStatus",
    "compile_plan",
    "execute",
]
