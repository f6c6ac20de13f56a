"""QuantFlow's strategy expression language: spreadsheet-like formulas a trader types.

    crossover(sma(close, 10), sma(close, 30)) and rsi(close, 14) < 70
    (close - close->5) / close->5 > 0.03
    close > sma(lookup("VNINDEX", close), 50)

Semantics worth knowing before trusting a backtest:

* Values are series, one per bar: numbers (float64) or booleans (numpy bool).
* Warm-up bars of a window function are NaN, and every comparison involving NaN is false —
  `!=` included — so no signal fires before its indicators exist. Boolean series are never NaN.
* `x->n` is x from n bars ago (NaN, or false for booleans, before the series is n bars long).
* Window functions treat a non-finite input as a gap: NaN there, and a fresh warm-up after it.
* `crossover(a, b)` is true at bar t when a[t] > b[t] and a[t-1] <= b[t-1]; never on bar 0.
* Multi-output indicators are separate functions: macd / macd_signal / macd_hist and
  bbands_upper / bbands_middle / bbands_lower.
* `lookup("SYM", expr)` evaluates expr on another instrument whose columns the caller supplies
  already aligned on the same timestamps (same length, same bars).
* The incremental evaluator's n-th `update` equals the vectorised result at bar n-1 (bit for bit
  for operators and most functions; see `streaming.py` for the few-ulp exceptions).
"""

from quantflow.expr.ast import Expr
from quantflow.expr.compiler import CompiledExpression, compile_expression
from quantflow.expr.errors import Diagnostic, EvaluationError, ExpressionError
from quantflow.expr.functions import FunctionRegistry, FunctionSpec, IncrementalFunction, Param, default_registry
from quantflow.expr.incremental import IncrementalEvaluator
from quantflow.expr.kinds import ParamKind, ValueKind
from quantflow.expr.parser import parse

__all__ = [
    "CompiledExpression",
    "Diagnostic",
    "EvaluationError",
    "Expr",
    "ExpressionError",
    "FunctionRegistry",
    "FunctionSpec",
    "IncrementalEvaluator",
    "IncrementalFunction",
    "Param",
    "ParamKind",
    "ValueKind",
    "compile_expression",
    "default_registry",
    "parse",
]
