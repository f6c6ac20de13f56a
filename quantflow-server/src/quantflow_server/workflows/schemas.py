"""Request and response bodies of the workflow endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from quantflow_server.text import text

Message = text(500)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkflowCreate(_Frozen):
    document: dict[str, Any]
    message: Message = ""
    draft: bool = Field(False, description="Store even if the graph has errors (it cannot run until fixed).")


class WorkflowUpdate(_Frozen):
    document: dict[str, Any]
    base_revision: int = Field(ge=1, le=2**31 - 1, description="The revision this edit started from.")
    message: Message = ""
    draft: bool = False


class RestoreRequest(_Frozen):
    base_revision: int = Field(ge=1, le=2**31 - 1)
    message: Message = ""


class WorkflowSummary(_Frozen):
    id: str
    name: str
    owner: str
    head_revision: int
    draft: bool
    created_at: datetime
    updated_at: datetime


class WorkflowOut(WorkflowSummary):
    document: dict[str, Any]
    problems: list[dict[str, Any]]


class RevisionOut(_Frozen):
    number: int
    author: str
    created_at: datetime
    message: str
    draft: bool


class RevisionDetail(RevisionOut):
    document: dict[str, Any]


class ValidationOut(_Frozen):
    ok: bool
    problems: list[dict[str, Any]]


class ParamChange(_Frozen):
    old: Any = None
    new: Any = None


class NodeChange(_Frozen):
    node_id: str
    params: dict[str, ParamChange] = Field(default_factory=dict)
    fields: dict[str, ParamChange] = Field(default_factory=dict)  # type, type_version, title, position


class DiffOut(_Frozen):
    from_revision: int
    to_revision: int
    fields: dict[str, ParamChange]  # name, description
    nodes_added: list[dict[str, Any]]
    nodes_removed: list[dict[str, Any]]
    nodes_changed: list[NodeChange]
    edges_added: list[dict[str, str]]
    edges_removed: list[dict[str, str]]
