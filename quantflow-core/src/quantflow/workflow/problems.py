"""Validation problems: fixed codes the canvas can key on, messages a person can act on."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProblemCode(StrEnum):
    INVALID_DOCUMENT = "invalid_document"
    INVALID_NODE = "invalid_node"
    INVALID_EDGE = "invalid_edge"
    DUPLICATE_NODE_ID = "duplicate_node_id"
    UNKNOWN_TYPE = "unknown_type"
    CONFLICTING_TYPE = "conflicting_type"
    UNKNOWN_TYPE_VERSION = "unknown_type_version"
    DEPRECATED_TYPE = "deprecated_type"
    INVALID_PARAM = "invalid_param"
    DANGLING_EDGE = "dangling_edge"
    DUPLICATE_EDGE = "duplicate_edge"
    UNKNOWN_PORT = "unknown_port"
    PORT_TYPE_MISMATCH = "port_type_mismatch"
    MULTIPLE_INPUTS_TO_SINGLE_PORT = "multiple_inputs_to_single_port"
    MISSING_REQUIRED_INPUT = "missing_required_input"
    CYCLE = "cycle"
    NO_TRIGGER = "no_trigger"
    UNREACHABLE_NODE = "unreachable_node"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Problem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: ProblemCode
    severity: Severity = Severity.ERROR
    message: str
    node_id: str | None = None
    param: str | None = None  # dotted location inside params, e.g. "sizing.percent"
    port: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)

    def __str__(self) -> str:
        where = f"node {self.node_id!r}: " if self.node_id else ""
        return f"{self.severity.value} [{self.code.value}] {where}{self.message}"
