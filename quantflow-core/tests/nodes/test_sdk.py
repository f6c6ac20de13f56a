from __future__ import annotations

from typing import Annotated, Any

import anyio
import pytest
from pydantic import ValidationError
from quantflow.engine import RunContext
from quantflow.errors import PluginError
from quantflow.nodes import (
    Category,
    Node,
    NodeParams,
    NodeType,
    Port,
    PortType,
    Scalar,
    Series,
    compatibility_table,
    describe,
    is_compatible,
    node,
)

CTX = RunContext(run_id="t")


class FactorParams(NodeParams):
    factor: float = 3.0


@node("sdk:mul", category="logic", title="Multiply")
def mul(x: Scalar, params: FactorParams, ctx: RunContext, y: Scalar = None) -> Scalar:
    """Multiplies x (and y) by the factor."""
    return x * params.factor * (1 if y is None else y)


def test_function_node_derives_ports_params_and_docs_from_type_hints() -> None:
    assert isinstance(mul, NodeType)
    assert mul.category is Category.LOGIC
    assert set(mul.inputs) == {"x", "y"}
    assert mul.inputs["x"] == Port(PortType.SCALAR)
    assert mul.inputs["y"].required is False
    assert mul.outputs == {"out": Port(PortType.SCALAR)}
    assert mul.params_model is FactorParams
    assert mul.description == "Multiplies x (and y) by the factor."
    assert mul.invoke(CTX, FactorParams(factor=2), {"x": 5.0}) == {"out": 10.0}
    assert mul.invoke(CTX, FactorParams(factor=2), {"x": 5.0, "y": 3.0}) == {"out": 30.0}


def test_async_function_and_multiple_outputs() -> None:
    @node(
        "sdk:split",
        category="logic",
        title="Split",
        outputs={"a": Port(PortType.SCALAR), "b": Port(PortType.SCALAR)},
    )
    async def split(x: Scalar) -> dict[str, float]:
        return {"a": x, "b": -x}

    assert split.is_async
    assert anyio.run(split.invoke, CTX, split.params_model(), {"x": 1.0}) == {"a": 1.0, "b": -1.0}


def test_class_node_with_migration_and_deprecation() -> None:
    class P(NodeParams):
        width: float = 0.02

    class Band(Node):
        type_id = "sdk:band"
        version = 3
        category = Category.LOGIC
        title = "Band"
        Params = P
        deprecated = "use sdk:band2"
        inputs = {"x": Port(PortType.SCALAR)}
        outputs = {"lo": Port(PortType.SCALAR), "hi": Port(PortType.SCALAR)}
        migrations = {1: lambda p: {"pct": p.get("percent", 2)}, 2: lambda p: {"width": p["pct"] / 100}}

        def run(self, ctx: Any, x: float) -> dict[str, float]:
            return {"lo": x * (1 - self.params.width), "hi": x * (1 + self.params.width)}

    spec = Band.node_type()
    assert spec.migrate_params({"percent": 5}, from_version=1) == {"width": 0.05}
    assert spec.can_migrate_from(1) and spec.can_migrate_from(3) and not spec.can_migrate_from(4)
    assert spec.invoke(CTX, P(width=0.5), {"x": 10.0}) == {"lo": 5.0, "hi": 15.0}
    info = describe(spec, "me")
    assert info.deprecated == "use sdk:band2"
    assert info.migrates_from == [1, 2]


def test_params_models_are_frozen_and_refuse_unknown_fields() -> None:
    params = FactorParams(factor=1)
    with pytest.raises(ValidationError, match="frozen"):
        params.factor = 2  # type: ignore[misc]
    with pytest.raises(ValidationError, match="fctor"):
        FactorParams.model_validate({"fctor": 2})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type_id": "NoNamespace"}, "namespace:name"),
        ({"type_id": "sdk:x", "version": 0}, "version must be"),
        ({"type_id": "sdk:x", "inputs": {"bad name": Port(PortType.SCALAR)}}, "not an identifier"),
        ({"type_id": "sdk:x", "version": 2, "migrations": {2: dict}}, "outside 1..1"),
    ],
)
def test_malformed_definitions_are_refused_at_registration(kwargs: dict[str, Any], message: str) -> None:
    base = dict(version=1, category=Category.LOGIC, title="x", invoke=lambda *a: {}, is_async=False)
    with pytest.raises(PluginError, match=message):
        NodeType(**{**base, **kwargs})


def test_unannotated_input_is_refused_with_a_hint() -> None:
    with pytest.raises(PluginError, match="needs a port type annotation"):

        @node("sdk:bad", category="logic", title="Bad")
        def bad(x: float) -> Scalar:
            return x


def test_annotated_port_carries_description_and_multiplicity() -> None:
    @node("sdk:many", category="logic", title="Many")
    def many(xs: Annotated[list[Any], Port(PortType.SERIES, "all of them", multiple=True)]) -> Series:
        return xs

    assert many.inputs["xs"] == Port(PortType.SERIES, "all of them", multiple=True)


def test_compatibility_table_matches_is_compatible_and_is_exported() -> None:
    table = compatibility_table()
    for source in PortType:
        for target in PortType:
            assert (target.value in table[source.value]) == is_compatible(source, target)
    assert is_compatible(PortType.BOOL_SERIES, PortType.SERIES)
    assert not is_compatible(PortType.SERIES, PortType.BOOL_SERIES)
    assert not is_compatible(PortType.TEXT, PortType.SCALAR)
    assert table["any"] == sorted(t.value for t in PortType)
