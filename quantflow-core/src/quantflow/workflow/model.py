"""The workflow document: what the canvas saves, what `quantflow run` reads, what the server stores.

Params are saved by name, never by position, so a node type can add a param without breaking
saved workflows. Unknown fields are errors (not dropped), which keeps load → save lossless.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints

SCHEMA_VERSION: Final = 1

NodeId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.\-]+$")]
TypeId = Annotated[str, StringConstraints(min_length=3, max_length=128, pattern=r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_.]*$")]
PortName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Position(_Frozen):
    """Where the canvas draws the node; the engine ignores it."""

    x: float = 0.0
    y: float = 0.0


class WorkflowNode(_Frozen):
    id: NodeId
    type: TypeId
    type_version: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    params: dict[str, JsonValue] = Field(default_factory=dict)
    position: Position = Field(default_factory=Position)
    title: Annotated[str, StringConstraints(max_length=200)] | None = None


class Edge(_Frozen):
    source: NodeId
    source_port: PortName
    target: NodeId
    target_port: PortName


class Workflow(_Frozen):
    schema_version: Literal[1] = SCHEMA_VERSION
    id: NodeId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    description: Annotated[str, StringConstraints(max_length=10_000)] = ""
    nodes: list[WorkflowNode] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def to_json(self, *, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Workflow:
        return cls.model_validate_json(text)


def workflow_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the workflow document."""
    schema = Workflow.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://quantflow.dev/schema/workflow-v{SCHEMA_VERSION}.json"
    return schema


def load_document(path: str | Path) -> Any:
    """Read a workflow file as plain JSON (validation is the validator's job)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
