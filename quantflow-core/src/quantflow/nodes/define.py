"""The two short ways to write a node: subclass `Node`, or decorate a function with `@node`.

    class Double(Node):
        type_id = "example:double"
        category = Category.LOGIC
        title = "Double"
        inputs = {"x": Port(PortType.SCALAR)}
        outputs = {"out": Port(PortType.SCALAR)}

        def run(self, ctx, x):
            return {"out": 2 * x}

    @node("example:scale", category="logic", title="Scale")
    def scale(x: Scalar, params: ScaleParams) -> Scalar:
        return x * params.factor

In the function form, inputs come from parameters annotated with a port type (`Series`, `Scalar`,
… or `Annotated[T, Port(...)]`); a parameter annotated with a `NodeParams` subclass receives the
params and one annotated with `RunContext` the run context. A single output is named `out`
unless `outputs=` says otherwise; with several outputs the function returns a dict.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar

from quantflow.errors import PluginError
from quantflow.nodes.ports import PortType
from quantflow.nodes.spec import Category, Migration, NodeParams, NodeType, NoParams, Port

Event = Annotated[Any, PortType.EVENT]
Frame = Annotated[Any, PortType.FRAME]
Series = Annotated[Any, PortType.SERIES]
BoolSeries = Annotated[Any, PortType.BOOL_SERIES]
Signal = Annotated[Any, PortType.SIGNAL]
Orders = Annotated[Any, PortType.ORDERS]
Scalar = Annotated[float, PortType.SCALAR]
Text = Annotated[str, PortType.TEXT]
AnyValue = Annotated[Any, PortType.ANY]


class Node:
    """Base class for class-style nodes: set the class attributes, implement `run`.

    `run(self, ctx, **inputs)` returns a dict of outputs by port name; it may be `async def`.
    `self.params` is the validated params model instance.
    """

    type_id: ClassVar[str]
    version: ClassVar[int] = 1
    category: ClassVar[Category | str]
    title: ClassVar[str]
    description: ClassVar[str] = ""
    icon: ClassVar[str] = ""
    Params: ClassVar[type[NodeParams]] = NoParams
    inputs: ClassVar[Mapping[str, Port]] = {}
    outputs: ClassVar[Mapping[str, Port]] = {}
    ui: ClassVar[Mapping[str, Any]] = {}
    side_effects: ClassVar[bool] = False
    cacheable: ClassVar[bool] = True
    stateful: ClassVar[bool] = False
    deprecated: ClassVar[str | None] = None
    migrations: ClassVar[Mapping[int, Migration]] = {}

    def __init__(self, params: NodeParams) -> None:
        self.params = params

    def run(self, ctx: Any, **inputs: Any) -> Any:
        raise NotImplementedError

    @classmethod
    def node_type(cls) -> NodeType:
        """The registrable description of this class."""
        for required in ("type_id", "category", "title"):
            if not hasattr(cls, required):
                raise PluginError(f"node class {cls.__qualname__} must set {required!r}")

        def invoke(ctx: Any, params: NodeParams, inputs: Mapping[str, Any]) -> Any:
            return cls(params).run(ctx, **inputs)

        return NodeType(
            type_id=cls.type_id,
            version=cls.version,
            category=Category(cls.category),
            title=cls.title,
            description=cls.description or inspect.getdoc(cls) or "",
            icon=cls.icon,
            invoke=invoke,
            is_async=inspect.iscoroutinefunction(cls.run),
            inputs=dict(cls.inputs),
            outputs=dict(cls.outputs),
            params_model=cls.Params,
            ui=dict(cls.ui),
            side_effects=cls.side_effects,
            cacheable=cls.cacheable and not cls.side_effects and not cls.stateful,
            stateful=cls.stateful,
            deprecated=cls.deprecated,
            migrations=dict(cls.migrations),
        )


def node(
    type_id: str,
    *,
    category: Category | str,
    title: str,
    version: int = 1,
    description: str | None = None,
    icon: str = "",
    outputs: Mapping[str, Port] | None = None,
    ui: Mapping[str, Any] | None = None,
    side_effects: bool = False,
    cacheable: bool = True,
    stateful: bool = False,
    deprecated: str | None = None,
    migrations: Mapping[int, Migration] | None = None,
) -> Callable[[Callable[..., Any]], NodeType]:
    """Turn a typed function into a `NodeType` (see the module docstring)."""

    def wrap(func: Callable[..., Any]) -> NodeType:
        where = f"@node {type_id!r} on {func.__qualname__}"
        hints = typing.get_type_hints(func, include_extras=True)
        inputs: dict[str, Port] = {}
        params_arg: str | None = None
        params_model: type[NodeParams] = NoParams
        context_arg: str | None = None
        for name, parameter in inspect.signature(func).parameters.items():
            hint = hints.get(name)
            if isinstance(hint, type) and issubclass(hint, NodeParams):
                params_arg, params_model = name, hint
            elif _is_run_context(hint):
                context_arg = name
            else:
                port = _port_from_hint(hint, where, name)
                if parameter.default is not inspect.Parameter.empty:
                    port = Port(port.type, port.description, required=False, multiple=port.multiple)
                inputs[name] = port
        if outputs is not None:
            declared_outputs = dict(outputs)
            single_output = None if len(declared_outputs) != 1 else next(iter(declared_outputs))
        else:
            returned = hints.get("return")
            declared_outputs = {} if returned is None or returned is type(None) else {
                "out": _port_from_hint(returned, where, "return")
            }
            single_output = "out" if declared_outputs else None
        multi_output = len(declared_outputs) > 1

        def call(ctx: Any, params: NodeParams, inputs: Mapping[str, Any]) -> dict[str, Any]:
            kwargs = dict(inputs)
            if params_arg is not None:
                kwargs[params_arg] = params
            if context_arg is not None:
                kwargs[context_arg] = ctx
            return kwargs

        def shape(result: Any) -> Any:
            if multi_output:
                return result
            return {} if single_output is None else {single_output: result}

        if inspect.iscoroutinefunction(func):

            async def invoke_async(ctx: Any, params: NodeParams, inputs: Mapping[str, Any]) -> Any:
                return shape(await func(**call(ctx, params, inputs)))

            invoke: Any = invoke_async
        else:

            def invoke(ctx: Any, params: NodeParams, inputs: Mapping[str, Any]) -> Any:
                return shape(func(**call(ctx, params, inputs)))

        return NodeType(
            type_id=type_id,
            version=version,
            category=Category(category),
            title=title,
            description=description if description is not None else inspect.getdoc(func) or "",
            icon=icon,
            invoke=invoke,
            is_async=inspect.iscoroutinefunction(func),
            inputs=inputs,
            outputs=declared_outputs,
            params_model=params_model,
            ui=dict(ui or {}),
            side_effects=side_effects,
            cacheable=cacheable and not side_effects and not stateful,
            stateful=stateful,
            deprecated=deprecated,
            migrations=dict(migrations or {}),
        )

    return wrap


def _is_run_context(hint: Any) -> bool:
    from quantflow.engine.context import RunContext

    return hint is RunContext


def _port_from_hint(hint: Any, where: str, name: str) -> Port:
    """`Annotated[T, PortType.X]` or `Annotated[T, Port(...)]` → Port; anything else is refused."""
    for meta in getattr(hint, "__metadata__", ()):
        if isinstance(meta, Port):
            return meta
        if isinstance(meta, PortType):
            return Port(meta)
    what = "the return value" if name == "return" else f"parameter {name!r}"
    raise PluginError(
        f"{where}: {what} needs a port type annotation such as "
        "quantflow.nodes.Series or Annotated[float, Port(PortType.SCALAR)]"
    )
