"""Type checker: syntax tree to typed IR, reporting every problem it can find in one pass.

Rules: arithmetic takes numbers; `< <= > >=` compare numbers; `== !=` compare two numbers or two
booleans; `and or not` take booleans; `if(c, a, b)` needs a boolean condition and two branches of
one kind; `x->n` keeps the kind of x. Literal parameters (windows, digits, constants) must be
written as literals so their values are known before the first bar. Inside `lookup("SYM", expr)`
only bar fields may be used, and lookups do not nest.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from quantflow.expr import ast, ir
from quantflow.expr.errors import Diagnostic, ExpressionError, diagnostic_at
from quantflow.expr.functions import FunctionRegistry, FunctionSpec, Param
from quantflow.expr.kinds import ParamKind, ValueKind

BAR_FIELDS = ("open", "high", "low", "close", "volume", "value")
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "**"})
_ORDERING = frozenset({"<", "<=", ">", ">="})
_EQUALITY = frozenset({"==", "!="})
_LOGICAL = frozenset({"and", "or"})
_SPECIAL_FORMS = ("if", "lookup")


@dataclass(frozen=True)
class _Scope:
    symbol: str | None = None  # set inside lookup()


def check(
    text: str, tree: ast.Expr, inputs: Mapping[str, ValueKind], registry: FunctionRegistry
) -> ir.Node:
    """Return the typed IR of `tree`, or raise ExpressionError listing every problem found."""
    checker = _Checker(text, inputs, registry)
    node = checker.visit(tree, _Scope())
    if checker.problems or node is None:
        raise ExpressionError(sorted(checker.problems, key=lambda d: (d.line, d.column)))
    return node


class _Checker:
    def __init__(self, text: str, inputs: Mapping[str, ValueKind], registry: FunctionRegistry) -> None:
        self.text = text
        self.columns: dict[str, ValueKind] = {name: ValueKind.NUMBER for name in BAR_FIELDS}
        self.columns.update(inputs)
        self.inputs = inputs
        self.registry = registry
        self.problems: list[Diagnostic] = []

    def report(self, node: ast.Expr | ast.Keyword | ast.Span, message: str, suggestion: str | None = None) -> None:
        span = node if isinstance(node, ast.Span) else node.span
        self.problems.append(diagnostic_at(self.text, span.start, span.end, message, suggestion))

    def visit(self, node: ast.Expr, scope: _Scope) -> ir.Node | None:
        match node:
            case ast.Number(value=value):
                return ir.Const(value, ValueKind.NUMBER)
            case ast.Boolean(value=value):
                return ir.Const(value, ValueKind.BOOL)
            case ast.String():
                self.report(node, 'a string can only name an instrument, as in lookup("VNINDEX", close)')
                return None
            case ast.Name():
                return self.name(node, scope)
            case ast.Unary():
                return self.unary(node, scope)
            case ast.Binary():
                return self.binary(node, scope)
            case ast.Lag(operand=operand, bars=bars):
                inner = self.visit(operand, scope)
                return None if inner is None else ir.Shift(inner, bars, inner.kind)
            case ast.Call():
                return self.call(node, scope)
        raise AssertionError(f"unhandled node {node!r}")

    def name(self, node: ast.Name, scope: _Scope) -> ir.Node | None:
        kind = self.columns.get(node.name)
        if kind is not None:
            if scope.symbol is not None and node.name in self.inputs:
                self.report(node, f"'{node.name}' is an input of this node, not a bar field of {scope.symbol}")
                return None
            return ir.Column(node.name, kind, scope.symbol)
        if node.name in self.registry or node.name in _SPECIAL_FORMS:
            self.report(node, f"'{node.name}' is a function; call it with arguments, e.g. {node.name}(...)")
            return None
        self.report(node, f"unknown name '{node.name}'", _closest(node.name, self.columns))
        return None

    def unary(self, node: ast.Unary, scope: _Scope) -> ir.Node | None:
        operand = self.visit(node.operand, scope)
        if operand is None:
            return None
        wanted = ValueKind.NUMBER if node.op == "-" else ValueKind.BOOL
        if operand.kind is not wanted:
            self.report(node, f"'{node.op}' needs a {_noun(wanted)}, but its operand is a {_noun(operand.kind)}")
            return None
        return ir.Op("neg" if node.op == "-" else "not", (operand,), wanted)

    def binary(self, node: ast.Binary, scope: _Scope) -> ir.Node | None:
        left, right = self.visit(node.left, scope), self.visit(node.right, scope)
        if left is None or right is None:
            return None
        op = node.op
        if op in _EQUALITY:
            if left.kind is not right.kind:
                self.report(node, f"'{op}' compares a {_noun(left.kind)} with a {_noun(right.kind)}")
                return None
            return ir.Op(op, (left, right), ValueKind.BOOL)
        wanted = ValueKind.BOOL if op in _LOGICAL else ValueKind.NUMBER
        ok = True
        for side, operand in (("left", left), ("right", right)):
            if operand.kind is not wanted:
                self.report(node, f"'{op}' needs {_noun(wanted)}s, but its {side} side is a {_noun(operand.kind)}")
                ok = False
        if not ok:
            return None
        result = ValueKind.NUMBER if op in _ARITHMETIC else ValueKind.BOOL
        return ir.Op(op, (left, right), result)

    def call(self, node: ast.Call, scope: _Scope) -> ir.Node | None:
        if node.name == "if":
            return self.if_(node, scope)
        if node.name == "lookup":
            return self.lookup(node, scope)
        spec = self.registry.get(node.name)
        if spec is None:
            if node.name in self.columns:
                message = f"'{node.name}' is a series, not a function"
                self.report(node.name_span, message)
            else:
                choices = [*self.registry.names(), *_SPECIAL_FORMS]
                self.report(node.name_span, f"unknown function '{node.name}'", _closest(node.name, choices))
            self.visit_arguments(node, scope)
            return None
        bound = self.bind(node, spec)
        if bound is None:
            self.visit_arguments(node, scope)
            return None
        args: list[ir.Node | float | int] = []
        ok = True
        for param, arg in zip(spec.params, bound, strict=True):
            value = self.argument(node, spec, param, arg, scope)
            ok = ok and value is not None
            args.append(value if value is not None else 0)
        return ir.Apply(spec, tuple(args), spec.result) if ok else None

    def visit_arguments(self, node: ast.Call, scope: _Scope) -> None:
        """Still report problems inside the arguments of a call that could not be resolved."""
        for arg in (*node.args, *(k.value for k in node.keywords)):
            if not isinstance(arg, ast.String | ast.Number):
                self.visit(arg, scope)

    def bind(self, node: ast.Call, spec: FunctionSpec) -> list[ast.Expr | float] | None:
        """Match positional and keyword arguments to parameters; fill defaults."""
        params = spec.params
        slots: list[ast.Expr | float | None] = [None] * len(params)
        ok = True
        if len(node.args) > len(params):
            self.report(
                node.args[len(params)],
                f"{spec.name}() takes at most {len(params)} argument(s): {spec.signature}",
            )
            ok = False
        for index, arg in enumerate(node.args[: len(params)]):
            slots[index] = arg
        names = [p.name for p in params]
        for keyword in node.keywords:
            if keyword.name not in names:
                self.report(keyword, f"{spec.name}() has no parameter '{keyword.name}'", _closest(keyword.name, names))
                ok = False
                continue
            index = names.index(keyword.name)
            if slots[index] is not None:
                self.report(keyword, f"{spec.name}() got '{keyword.name}' twice")
                ok = False
                continue
            slots[index] = keyword.value
        for index, param in enumerate(params):
            if slots[index] is None:
                if param.default is None:
                    self.report(node, f"{spec.name}() is missing '{param.name}': {spec.signature}")
                    ok = False
                else:
                    slots[index] = param.default
        return [s for s in slots if s is not None] if ok else None

    def argument(
        self, call: ast.Call, spec: FunctionSpec, param: Param, arg: ast.Expr | float, scope: _Scope
    ) -> ir.Node | float | int | None:
        integral = param.kind in (ParamKind.WINDOW, ParamKind.INTEGER)
        if isinstance(arg, int | float):  # a default value
            return int(arg) if integral else float(arg)
        where = f"'{param.name}' of {spec.name}()"
        if param.kind.is_series:
            value = self.visit(arg, scope)
            if value is None:
                return None
            wanted = ValueKind.NUMBER if param.kind is ParamKind.NUMBER else ValueKind.BOOL
            if value.kind is not wanted:
                self.report(arg, f"{where} must be a {_noun(wanted)}, not a {_noun(value.kind)}")
                return None
            return value
        number = _literal_number(arg)
        if number is None or (integral and not (isinstance(arg, ast.Number) and arg.is_integer)):
            shape = "a whole number" if integral else "a number"
            self.report(arg, f"{where} must be {shape} written as a literal, e.g. {spec.name}(close, 20)")
            return None
        if param.minimum is not None and number < param.minimum:
            self.report(arg, f"{where} must be at least {_plain(param.minimum)}")
            return None
        if param.maximum is not None and number > param.maximum:
            self.report(arg, f"{where} must be at most {_plain(param.maximum)}")
            return None
        return int(number) if integral else number

    def if_(self, node: ast.Call, scope: _Scope) -> ir.Node | None:
        if node.keywords or len(node.args) != 3:
            self.report(node, "if() takes exactly three positional arguments: if(condition, then, otherwise)")
            return None
        condition, then, otherwise = (self.visit(arg, scope) for arg in node.args)
        if condition is None or then is None or otherwise is None:
            return None
        ok = True
        if condition.kind is not ValueKind.BOOL:
            self.report(node.args[0], "the condition of if() must be a boolean series")
            ok = False
        if then.kind is not otherwise.kind:
            self.report(node, f"if() branches differ: a {_noun(then.kind)} and a {_noun(otherwise.kind)}")
            ok = False
        return ir.Choose(condition, then, otherwise, then.kind) if ok else None

    def lookup(self, node: ast.Call, scope: _Scope) -> ir.Node | None:
        if node.keywords or len(node.args) != 2:
            self.report(node, 'lookup() takes two arguments: lookup("SYMBOL", expression)')
            return None
        symbol, expr = node.args
        if scope.symbol is not None:
            self.report(node, "lookup() cannot be nested inside another lookup()")
            return None
        if not isinstance(symbol, ast.String) or not symbol.value.strip():
            self.report(symbol, 'the first argument of lookup() must be a symbol in quotes, e.g. "VNINDEX"')
            return None
        return self.visit(expr, _Scope(symbol=symbol.value))


def _literal_number(node: ast.Expr) -> float | None:
    if isinstance(node, ast.Number):
        return node.value
    if isinstance(node, ast.Unary) and node.op == "-" and isinstance(node.operand, ast.Number):
        return -node.operand.value
    return None


def _closest(name: str, choices: object) -> str | None:
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)  # type: ignore[call-overload]
    return matches[0] if matches else None


def _noun(kind: ValueKind) -> str:
    return "number" if kind is ValueKind.NUMBER else "boolean"


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
