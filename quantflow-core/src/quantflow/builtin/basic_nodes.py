"""The smallest built-in nodes: start a run by hand, hold a constant, combine numbers, log."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from quantflow.engine.context import RunContext
from quantflow.nodes import AnyValue, Category, Event, NodeParams, Port, PortType, Scalar, Text, node


@node("core:manual_trigger", category=Category.TRIGGER, title="Manual trigger", icon="play")
def manual_trigger(ctx: RunContext) -> Event:
    """Fires once when a person starts the run."""
    return {"time": ctx.now().isoformat(), "reason": "manual", "run_id": ctx.run_id}


class ConstantParams(NodeParams):
    value: float = Field(0.0, description="The number this node outputs.")


@node("core:constant", category=Category.DATA, title="Constant", icon="hash")
def constant(params: ConstantParams, trigger: Event = None) -> Scalar:
    """Outputs a fixed number."""
    return params.value


@node(
    "core:sum",
    category=Category.LOGIC,
    title="Sum",
    icon="plus",
    outputs={"out": Port(PortType.SCALAR, "The sum of all inputs.")},
)
def sum_node(
    values: Annotated[list[float] | None, Port(PortType.SCALAR, "Numbers to add.", multiple=True)] = None,
) -> float:
    """Adds every connected number."""
    return float(sum(values or ()))


class LogParams(NodeParams):
    message: str = Field("{value}", max_length=1000, description="Text to log; {value} is replaced by the input.")


@node("core:log", category=Category.ACTION, title="Log", icon="file-text", side_effects=True)
def log(ctx: RunContext, params: LogParams, value: AnyValue = None) -> Text:
    """Writes a line to the run log and passes it on."""
    line = params.message.replace("{value}", str(value))
    ctx.logger.info("%s", line)
    return line


NODE_TYPES = [manual_trigger, constant, sum_node, log]
