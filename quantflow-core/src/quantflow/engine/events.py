"""Typed run events. Plain slotted dataclasses: the engine emits two per node, so they must be
cheap; `to_dict()` gives the JSON form the server persists and streams."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, ClassVar


class RunStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class RunEvent:
    kind: ClassVar[str] = "event"
    run_id: str
    time: float  # Unix seconds (UTC)

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, **asdict(self)}


@dataclass(frozen=True, slots=True)
class RunStarted(RunEvent):
    kind: ClassVar[str] = "run_started"
    nodes: int


@dataclass(frozen=True, slots=True)
class NodeStarted(RunEvent):
    kind: ClassVar[str] = "node_started"
    node_id: str


@dataclass(frozen=True, slots=True)
class NodeFinished(RunEvent):
    kind: ClassVar[str] = "node_finished"
    node_id: str
    duration_ms: float
    cached: bool


@dataclass(frozen=True, slots=True)
class NodeFailed(RunEvent):
    kind: ClassVar[str] = "node_failed"
    node_id: str
    duration_ms: float
    error_type: str
    message: str


@dataclass(frozen=True, slots=True)
class NodeSkipped(RunEvent):
    kind: ClassVar[str] = "node_skipped"
    node_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class RunFinished(RunEvent):
    kind: ClassVar[str] = "run_finished"
    status: RunStatus
    duration_ms: float
    succeeded: int
    failed: int
    skipped: int
