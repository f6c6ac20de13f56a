"""How a host tells a run what woke it, so trigger nodes can report it in their event.

A host that runs a plan because of a trigger puts a `Wake` in `RunContext.services[WAKE_SERVICE]`:
the scheduled time for a schedule, the closed bar for a bar close, the tick for a tick. Trigger
nodes copy it into the event they emit; without one (a manual run) they use the run's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from quantflow.triggers.specs import TriggerKind

WAKE_SERVICE = "wake"


@dataclass(frozen=True, slots=True)
class Wake:
    kind: TriggerKind
    time: datetime  # the instant the trigger fired (a schedule's planned time, a bar's close)
    node_id: str | None = None  # the trigger node that fired, when the host knows it
    details: Mapping[str, Any] = field(default_factory=dict)  # JSON-ready: symbol, price, bar time…


def wake_of(services: Mapping[str, Any]) -> Wake | None:
    wake = services.get(WAKE_SERVICE)
    return wake if isinstance(wake, Wake) else None
