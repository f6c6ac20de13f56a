"""Which trigger nodes a compiled plan has and what wakes each: what a host reads to schedule it.

Trigger nodes never fire by themselves. The server scheduler, the backtester or `quantflow run`
decides when to run a plan; this module tells it what to wait for, node by node.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from quantflow.engine.plan import Plan
from quantflow.nodes.spec import Category


class TriggerKind(StrEnum):
    MANUAL = "manual"  # a person starts the run
    SCHEDULE = "schedule"  # a cron time (see quantflow.triggers.next_fire_time)
    BAR_CLOSE = "bar_close"  # a bar of params["resolution"] closed
    TICK = "tick"  # a trade or quote arrived for one of params["symbols"]
    PRICE_ALERT = "price_alert"  # new prices of params["symbol"]; the node itself decides if it crossed
    CUSTOM = "custom"  # a plugin's trigger: the host must know that type to schedule it


#: Built-in trigger type → kind. Plugin trigger types not listed here come out as CUSTOM.
KINDS: Mapping[str, TriggerKind] = MappingProxyType(
    {
        "core:manual_trigger": TriggerKind.MANUAL,
        "core:schedule": TriggerKind.SCHEDULE,
        "core:on_bar_close": TriggerKind.BAR_CLOSE,
        "core:on_tick": TriggerKind.TICK,
        "core:price_alert": TriggerKind.PRICE_ALERT,
    }
)


@dataclass(frozen=True, slots=True)
class TriggerSpec:
    node_id: str
    type_id: str
    kind: TriggerKind
    params: Mapping[str, Any] = field(default_factory=dict)  # JSON-ready, by name

    def symbols(self) -> list[str]:
        """Instruments whose market data wakes this trigger (empty for time-based kinds)."""
        if self.kind is TriggerKind.PRICE_ALERT:
            return [self.params["symbol"]]
        return list(self.params.get("symbols", []))


def trigger_specs(plan: Plan) -> list[TriggerSpec]:
    """Every trigger node of `plan` in plan order, with its kind and validated params."""
    return [
        TriggerSpec(
            node_id=step.node_id,
            type_id=step.spec.type_id,
            kind=KINDS.get(step.spec.type_id, TriggerKind.CUSTOM),
            params=MappingProxyType(step.params.model_dump(mode="json")),
        )
        for step in plan.steps
        if step.spec.category is Category.TRIGGER
    ]
