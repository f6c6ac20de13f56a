"""The workflow document, its JSON Schema, and the validator."""

from quantflow.workflow.model import Edge, Position, Workflow, WorkflowNode, workflow_json_schema
from quantflow.workflow.problems import Problem, ProblemCode, Severity
from quantflow.workflow.validate import ValidationResult, validate

__all__ = [
    "Edge",
    "Position",
    "Problem",
    "ProblemCode",
    "Severity",
    "ValidationResult",
    "Workflow",
    "WorkflowNode",
    "validate",
    "workflow_json_schema",
]
