"""Function specifications and the registry the checker resolves calls against.

Built-ins and plugins use the same path: a plugin's `register_expression_functions(register)` hook
receives `FunctionRegistry.register`. A spec names its parameters with kinds (see `ParamKind`),
gives a vectorised implementation over whole numpy arrays and, ideally, an incremental one that
keeps O(window) state. Without an incremental implementation the generic fallback re-runs the
vectorised one over the last `history` bars (or the whole history if `history` is None) each bar:
correct, but slow for long histories.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from quantflow.errors import PluginError
from quantflow.expr.kinds import ParamKind, ValueKind
from quantflow.expr.limits import MAX_WINDOW

RESERVED_NAMES = frozenset({"if", "lookup", "and", "or", "not", "true", "false"})
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")


class IncrementalFunction(Protocol):
    """State of one function call in the incremental evaluator."""

    def update(self, *values: Any) -> float | bool:
        """Take the newest value of each series argument (in parameter order); return the result."""
        ...


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter. `default` makes it optional (literal kinds only); bounds apply to literals."""

    name: str
    kind: ParamKind
    default: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        if self.kind.is_series and self.default is not None:
            raise ValueError(f"parameter '{self.name}': only literal parameters can have a default")
        if self.kind is ParamKind.WINDOW:
            low = 1 if self.minimum is None else self.minimum
            high = MAX_WINDOW if self.maximum is None else min(self.maximum, MAX_WINDOW)
            object.__setattr__(self, "minimum", low)
            object.__setattr__(self, "maximum", high)

    def describe(self) -> str:
        text = f"{self.name}: {self.kind.value}"
        if self.default is not None:
            default = int(self.default) if float(self.default).is_integer() else self.default
            text += f" = {default}"
        return text


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A function callable from expressions.

    `vectorized(*args)` receives series arguments as numpy arrays (float64 or bool) and literal
    arguments as Python numbers, in parameter order, and returns an array of the same length.
    `incremental(*literals)` builds a fresh `IncrementalFunction` from the literal arguments.
    """

    name: str
    params: tuple[Param, ...]
    result: ValueKind
    vectorized: Callable[..., np.ndarray]
    incremental: Callable[..., IncrementalFunction] | None = None
    history: Callable[..., int] | None = field(default=None)
    doc: str = ""

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.name) or keyword.iskeyword(self.name):
            raise ValueError(f"function name {self.name!r} must be a lower-case identifier")
        if self.name in RESERVED_NAMES:
            raise ValueError(f"function name {self.name!r} is reserved by the expression language")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"function {self.name!r} has duplicate parameter names")
        seen_optional = False
        for param in self.params:
            if param.default is None and seen_optional:
                raise ValueError(f"function {self.name!r}: required '{param.name}' follows an optional one")
            seen_optional = seen_optional or param.default is not None

    @property
    def signature(self) -> str:
        params = ", ".join(p.describe() for p in self.params)
        return f"{self.name}({params}) -> {self.result.value}"


class FunctionRegistry:
    """Name → FunctionSpec. Registering a name twice is an error, never a silent override."""

    def __init__(self) -> None:
        self._specs: dict[str, FunctionSpec] = {}

    def register(self, spec: FunctionSpec) -> None:
        if not isinstance(spec, FunctionSpec):
            raise PluginError(f"register() expects a FunctionSpec, got {type(spec).__name__}")
        if spec.name in self._specs:
            raise PluginError(f"expression function '{spec.name}' is already registered")
        self._specs[spec.name] = spec

    def get(self, name: str) -> FunctionSpec | None:
        return self._specs.get(name)

    def names(self) -> list[str]:
        return sorted(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[FunctionSpec]:
        return iter(self._specs[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._specs)

    def catalog(self) -> list[dict[str, Any]]:
        """JSON-ready description of every function, for autocomplete and documentation."""
        return [
            {
                "name": spec.name,
                "signature": spec.signature,
                "doc": spec.doc,
                "result": spec.result.value,
                "params": [
                    {"name": p.name, "kind": p.kind.value, "default": p.default, "doc": p.doc}
                    for p in spec.params
                ],
            }
            for spec in self
        ]

    def copy(self) -> FunctionRegistry:
        clone = FunctionRegistry()
        clone._specs = dict(self._specs)
        return clone


def default_registry() -> FunctionRegistry:
    """A new registry holding the built-in functions; callers may register more into it."""
    from quantflow.expr.builtins import BUILTINS

    registry = FunctionRegistry()
    for spec in BUILTINS:
        registry.register(spec)
    return registry
