from __future__ import annotations

import numpy as np
import pytest
from quantflow.errors import PluginError
from quantflow.expr import (
    EvaluationError,
    FunctionRegistry,
    FunctionSpec,
    Param,
    ParamKind,
    ValueKind,
    compile_expression,
    default_registry,
)

NAN = np.nan


def both(text: str, columns: dict[str, np.ndarray], **kw: object) -> np.ndarray:
    """Vectorised result, after checking the incremental evaluator agrees bar by bar."""
    compiled = compile_expression(text, **kw)  # type: ignore[arg-type]
    batch = compiled.evaluate(columns)
    evaluator = compiled.incremental()
    live = [evaluator.update({k: v[i] for k, v in columns.items()}) for i in range(len(batch))]
    np.testing.assert_array_equal(np.array(live, dtype=batch.dtype), batch)
    return batch


def test_crossover_exact_definition() -> None:
    a = np.array([1.0, 2.0, 3.0, 2.0, 2.0, 3.0, NAN, 3.0])
    b = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    # t=2: 3>2 and 2<=2 -> true; t=5: 3>2 and 2<=2 -> true; t=7: previous NaN -> false
    assert both("crossover(a, b)", {"a": a, "b": b}, inputs={"a": "number", "b": "number"}).tolist() == [
        False, False, True, False, False, True, False, False]
    assert both("crossunder(a, b)", {"a": a, "b": b}, inputs={"a": "number", "b": "number"}).tolist() == [
        False, False, False, False, False, False, False, False]
    assert both("crossunder(b, a)", {"a": a, "b": b}, inputs={"a": "number", "b": "number"}).tolist() == [
        False, False, True, False, False, True, False, False]


def test_nan_compares_false_even_for_not_equal() -> None:
    close = np.array([NAN, 1.0, 2.0])
    assert both("close != 1", {"close": close}).tolist() == [False, False, True]
    assert both("close == close", {"close": close}).tolist() == [False, True, True]
    assert both("not (close > 1)", {"close": close}).tolist() == [True, True, False]


def test_lag_of_numbers_and_booleans() -> None:
    close = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(both("close->2", {"close": close}), [NAN, NAN, 1.0, 2.0])
    np.testing.assert_array_equal(both("close->0", {"close": close}), close)
    assert both("(close > 1)->1", {"close": close}).tolist() == [False, False, True, True]
    np.testing.assert_array_equal(both("close->10", {"close": close}), [NAN] * 4)


def test_a_gap_restarts_warm_up_instead_of_poisoning_history() -> None:
    close = np.array([1.0, 2.0, 3.0, NAN, 5.0, 6.0, 7.0, 8.0])
    np.testing.assert_array_equal(both("sma(close, 2)", {"close": close}), [NAN, 1.5, 2.5, NAN, NAN, 5.5, 6.5, 7.5])


def test_division_by_zero_follows_ieee_in_both_paths() -> None:
    x = np.array([1.0, -1.0, 0.0, 2.0])
    np.testing.assert_array_equal(both("x / 0", {"x": x}, inputs={"x": "number"}), [np.inf, -np.inf, NAN, np.inf])
    np.testing.assert_array_equal(both("x % 0", {"x": x}, inputs={"x": "number"}), [NAN] * 4)
    np.testing.assert_array_equal(both("x ** 0.5", {"x": x}, inputs={"x": "number"}), [1.0, NAN, 0.0, np.sqrt(2)])
    np.testing.assert_array_equal(both("pct_change(x)", {"x": x}, inputs={"x": "number"}), [NAN, -2.0, -1.0, np.inf])


def test_if_and_constants_broadcast() -> None:
    close = np.array([1.0, 5.0, 3.0])
    np.testing.assert_array_equal(both("if(close > 2, close, -1)", {"close": close}), [-1.0, 5.0, 3.0])
    np.testing.assert_array_equal(both("1 + 2 * 3", {"close": close}), [7.0, 7.0, 7.0])
    assert both("true or close > 100", {"close": close}).dtype == bool


def test_lookup_uses_the_other_instruments_aligned_columns() -> None:
    close = np.array([10.0, 11.0, 12.0, 13.0])
    index = {"close": np.array([100.0, 90.0, 95.0, 120.0])}
    compiled = compile_expression('close / lookup("VNINDEX", close)')
    assert compiled.lookups == {"VNINDEX": frozenset({"close"})} and compiled.columns == {"close"}
    np.testing.assert_array_equal(compiled.evaluate({"close": close}, lookup=lambda s: index), close / index["close"])
    evaluator = compiled.incremental()
    live = [evaluator.update({"close": c}, lookup_bar=lambda s, i=i: {"close": index["close"][i]}) for i, c in enumerate(close)]
    np.testing.assert_array_equal(live, close / index["close"])
    with pytest.raises(EvaluationError, match="lookup"):
        compiled.evaluate({"close": close})
    with pytest.raises(EvaluationError, match="not aligned"):
        compiled.evaluate({"close": close}, lookup=lambda s: {"close": np.ones(3)})


def test_missing_or_misaligned_columns_are_clear_errors() -> None:
    compiled = compile_expression("close > open")
    with pytest.raises(EvaluationError, match="lacks open"):
        compiled.evaluate({"close": np.ones(3)})
    with pytest.raises(EvaluationError, match="different lengths"):
        compiled.evaluate({"close": np.ones(3), "open": np.ones(4)})
    with pytest.raises(EvaluationError, match="no column"):
        compiled.incremental().update({"close": 1.0})


def test_shared_subexpressions_keep_one_state() -> None:
    compiled = compile_expression("sma(close, 3) - sma(close, 3)")
    applies = [n for n in compiled._order if type(n).__name__ == "Apply"]
    assert len(applies) == 1


def _double(x: np.ndarray) -> np.ndarray:
    return x * 2


def test_plugin_function_with_generic_incremental_fallback() -> None:
    registry = default_registry()
    registry.register(
        FunctionSpec("median", (Param("x", ParamKind.NUMBER), Param("n", ParamKind.WINDOW)), ValueKind.NUMBER,
                     lambda x, n: np.array([np.median(x[max(0, i - n + 1): i + 1]) if i >= n - 1 else NAN for i in range(len(x))]),
                     history=lambda n: n, doc="Rolling median.")
    )
    close = np.array([5.0, 1.0, 3.0, 9.0, 7.0])
    np.testing.assert_array_equal(both("median(close, 3)", {"close": close}, registry=registry), [NAN, NAN, 3.0, 3.0, 7.0])
    assert "median" not in default_registry()  # a fresh registry each call: no global mutation
    with pytest.raises(Exception, match="unknown function 'median'"):
        compile_expression("median(close, 3)")


def test_registering_a_duplicate_name_is_an_error() -> None:
    registry = FunctionRegistry()
    spec = FunctionSpec("double", (Param("x", ParamKind.NUMBER),), ValueKind.NUMBER, _double)
    registry.register(spec)
    with pytest.raises(PluginError, match="'double' is already registered"):
        registry.register(spec)
    with pytest.raises(PluginError, match="already registered"):
        default_registry().register(FunctionSpec("sma", (), ValueKind.NUMBER, _double))


@pytest.mark.parametrize("name", ["if", "lookup", "Bad", "not ok", "and"])
def test_reserved_or_invalid_function_names(name: str) -> None:
    with pytest.raises(ValueError):
        FunctionSpec(name, (), ValueKind.NUMBER, _double)


def test_catalog_lists_signature_and_doc() -> None:
    catalog = {entry["name"]: entry for entry in default_registry().catalog()}
    required = {"sma", "ema", "wma", "rsi", "macd", "macd_signal", "macd_hist", "bbands_upper", "bbands_middle",
                "bbands_lower", "atr", "stddev", "highest", "lowest", "roc", "pct_change", "zscore", "corr",
                "crossover", "crossunder", "abs", "min", "max", "log", "sqrt", "round", "clip", "nz"}
    assert required <= set(catalog)
    assert catalog["rsi"]["signature"] == "rsi(x: number, n: window = 14) -> number"
    assert catalog["crossover"]["result"] == "bool"
    assert all(entry["doc"] for entry in catalog.values())


def test_a_compiled_expression_pickles_after_use_and_evaluates_the_same() -> None:
    import pickle  # (one calling a built-in function does not: its spec holds lambdas)

    compiled = compile_expression("close > close->2 or (close - close->1) / close->1 < -0.25")
    close = np.array([5.0, 4, 6, 7, 3, 8, 9, 2, 10, 11])
    before = compiled.evaluate({"close": close})  # builds the evaluation caches (closures)
    again = pickle.loads(pickle.dumps(compiled))
    assert again == compiled
    np.testing.assert_array_equal(again.evaluate({"close": close}), before)
