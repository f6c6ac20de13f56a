from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from quantflow.workflow import ProblemCode, Severity, Workflow, validate

C = ProblemCode


def doc(nodes: list[dict[str, Any]], edges: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "id": "w",
        "name": "W",
        "nodes": [{"type_version": 1, "params": {}, **n} for n in nodes],
        "edges": [
            {"source": s, "source_port": sp, "target": t, "target_port": tp} for s, sp, t, tp in edges
        ],
    }


GOOD = doc(
    [
        {"id": "go", "type": "core:manual_trigger"},
        {"id": "a", "type": "core:constant", "params": {"value": 2}},
        {"id": "double", "type": "test:scale", "params": {"factor": 2}},
        {"id": "sum", "type": "core:sum"},
    ],
    [
        ("go", "out", "a", "trigger"),
        ("a", "out", "double", "x"),
        ("a", "out", "sum", "values"),
        ("double", "out", "sum", "values"),
    ],
)


def codes(result: Any) -> list[tuple[str, str | None]]:
    return sorted((p.code.value, p.node_id) for p in result.problems)


def test_good_workflow_has_no_problems(node_types: Any) -> None:
    result = validate(GOOD, node_types)
    assert result.problems == []
    assert isinstance(result.workflow, Workflow)
    assert set(result.resolved) == {"go", "a", "double", "sum"}


def test_every_problem_is_reported_in_one_pass(node_types: Any) -> None:
    bad = doc(
        [
            {"id": "go", "type": "core:manual_trigger"},
            {"id": "a", "type": "core:constant", "params": {"value": "lots"}},
            {"id": "a", "type": "core:constant"},
            {"id": "s", "type": "test:scal"},
            {"id": "future", "type": "test:scale", "type_version": 9},
            {"id": "d", "type": "test:scale", "params": {"factor": 2, "extra": 1}},
            {"id": "p", "type": "test:pair"},
            {"id": "lonely", "type": "test:scale"},
        ],
        [
            ("go", "out", "nowhere", "x"),
            ("go", "out", "d", "y"),
            ("p", "lo", "d", "x"),
            ("p", "hi", "d", "x"),
        ],
    )
    result = validate(bad, node_types)
    assert not result.ok and result.workflow is None
    assert codes(result) == sorted(
        [
            ("invalid_param", "a"),
            ("duplicate_node_id", "a"),
            ("unknown_type", "s"),
            ("unknown_type_version", "future"),
            ("invalid_param", "d"),
            ("dangling_edge", "go"),
            ("unknown_port", "d"),
            ("multiple_inputs_to_single_port", "d"),
            ("missing_required_input", "p"),
            ("missing_required_input", "lonely"),
            ("unreachable_node", "a"),
            ("unreachable_node", "p"),
            ("unreachable_node", "d"),
            ("unreachable_node", "lonely"),
        ]
    )
    by_code = {(p.code, p.node_id): p for p in result.problems}
    assert "did you mean 'test:scale'" in by_code[(C.UNKNOWN_TYPE, "s")].message
    assert by_code[(C.INVALID_PARAM, "a")].param == "value"
    assert by_code[(C.INVALID_PARAM, "d")].param == "extra"
    assert by_code[(C.UNKNOWN_PORT, "d")].port == "y"
    assert by_code[(C.UNREACHABLE_NODE, "p")].severity is Severity.WARNING


def test_port_type_mismatch_names_both_types(node_types: Any) -> None:
    result = validate(
        doc(
            [{"id": "src", "type": "test:series_source"}, {"id": "s", "type": "test:scale"}],
            [("src", "out", "s", "x")],
        ),
        node_types,
    )
    (problem,) = [p for p in result.problems if p.code is C.PORT_TYPE_MISMATCH]
    assert problem.node_id == "s" and problem.port == "x"
    assert "series" in problem.message and "scalar" in problem.message


def test_cycle_names_every_node_on_it(node_types: Any) -> None:
    result = validate(
        doc(
            [
                {"id": "x", "type": "test:scale"},
                {"id": "y", "type": "test:scale"},
                {"id": "z", "type": "test:scale"},
            ],
            [("x", "out", "y", "x"), ("y", "out", "z", "x"), ("z", "out", "x", "x")],
        ),
        node_types,
    )
    (cycle,) = [p for p in result.problems if p.code is C.CYCLE]
    assert cycle.details["nodes"] == ["x", "y", "z"]
    assert C.NO_TRIGGER in {p.code for p in result.problems}


def test_self_loop_is_a_cycle(node_types: Any) -> None:
    result = validate(doc([{"id": "x", "type": "test:scale"}], [("x", "out", "x", "x")]), node_types)
    assert [p.details["nodes"] for p in result.problems if p.code is C.CYCLE] == [["x"]]


def test_structural_errors_name_the_node_and_field(node_types: Any) -> None:
    bad = copy.deepcopy(GOOD)
    bad["nodes"][1]["type"] = "Constant"
    bad["nodes"][2]["position"] = {"x": "left"}
    bad["edges"][0].pop("target_port")
    result = validate(bad, node_types)
    messages = {(p.code, p.node_id): p.message for p in result.problems}
    assert "namespace:name" in messages[(C.INVALID_NODE, "a")]
    assert "position.x" in messages[(C.INVALID_NODE, "double")]
    assert any(p.code is C.INVALID_EDGE and "target_port" in p.message for p in result.problems)


def test_old_type_version_is_migrated_before_checking_params(node_types: Any) -> None:
    result = validate(doc([{"id": "g", "type": "core:manual_trigger", "type_version": 1}], []), node_types)
    assert result.ok


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """GOOD with random parts replaced by random JSON-ish values."""
    value = copy.deepcopy(GOOD)
    junk = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
        max_leaves=8,
    )
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(["root", "node", "edge", "param"]))
        if target == "root":
            value[draw(st.sampled_from(["id", "name", "nodes", "edges", "schema_version", "x"]))] = draw(junk)
        elif target == "node" and isinstance(value.get("nodes"), list) and value["nodes"]:
            node = draw(st.sampled_from(value["nodes"]))
            if isinstance(node, dict):
                node[draw(st.sampled_from(["id", "type", "type_version", "params", "position"]))] = draw(junk)
        elif target == "edge" and isinstance(value.get("edges"), list) and value["edges"]:
            edge = draw(st.sampled_from(value["edges"]))
            if isinstance(edge, dict):
                edge[draw(st.sampled_from(["source", "target", "source_port", "target_port"]))] = draw(junk)
        elif isinstance(value.get("nodes"), list) and len(value["nodes"]) > 1 and isinstance(value["nodes"][1], dict):
            value["nodes"][1]["params"] = {"value": draw(junk)}
    return value


def deep(depth: int) -> Any:
    value: Any = {"id": "w", "name": "W", "nodes": [], "edges": []}
    nested: Any = 1
    for _ in range(depth):
        nested = [nested]
    value["nodes"] = [{"id": "a", "type": "core:constant", "params": {"value": nested}}]
    return value


anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(anything, mutated(), st.integers(-(10**40), 10**40).map(lambda n: {**GOOD, "id": n})))
def test_validator_never_raises_and_always_explains(node_types: Any, document: Any) -> None:
    result = validate(document, node_types)
    for problem in result.problems:
        assert problem.message
        json.dumps(problem.model_dump(mode="json"))
    assert result.ok == (result.workflow is not None)


def test_deep_nesting_and_huge_numbers_are_problems_not_crashes(node_types: Any) -> None:
    for document in (deep(50), deep(5000), {**GOOD, "nodes": [{"id": "n", "type": "core:constant", "params": {"value": 10**400}}]}):
        result = validate(document, node_types)
        assert all(p.message for p in result.problems)
