from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from quantflow.workflow import Edge, Position, Workflow, WorkflowNode, workflow_json_schema

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "docs" / "schema" / "workflow.schema.json"

ids = st.from_regex(r"[A-Za-z0-9_.\-]{1,12}", fullmatch=True)
type_ids = st.from_regex(r"[a-z][a-z0-9_]{0,6}:[a-z][a-z0-9_.]{0,8}", fullmatch=True)
ports = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
finite = st.floats(allow_nan=False, allow_infinity=False)

nodes = st.builds(
    WorkflowNode,
    id=ids,
    type=type_ids,
    type_version=st.integers(1, 50),
    params=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    position=st.builds(Position, x=finite, y=finite),
    title=st.none() | st.text(max_size=30),
)
edges = st.builds(Edge, source=ids, source_port=ports, target=ids, target_port=ports)
workflows = st.builds(
    Workflow,
    id=ids,
    name=st.text(min_size=1, max_size=40),
    description=st.text(max_size=60),
    nodes=st.lists(nodes, max_size=6),
    edges=st.lists(edges, max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(workflows)
def test_load_save_is_lossless(workflow: Workflow) -> None:
    text = workflow.to_json()
    again = Workflow.from_json(text)
    assert again == workflow
    assert again.to_json() == text
    # and through plain JSON objects, as the server and canvas exchange it
    assert Workflow.model_validate(json.loads(text)).model_dump(mode="json") == json.loads(text)


def test_unknown_fields_are_refused_not_dropped() -> None:
    doc = {"id": "w", "name": "W", "nodes": [], "edges": [], "colour": "blue"}
    try:
        Workflow.model_validate(doc)
    except Exception as exc:
        assert "colour" in str(exc)
    else:
        raise AssertionError("an unknown field was silently accepted")


def test_published_schema_file_is_current() -> None:
    """docs/schema/workflow.schema.json is generated from the models; regenerate it with
    `quantflow schema > docs/schema/workflow.schema.json` when they change."""
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == workflow_json_schema()
