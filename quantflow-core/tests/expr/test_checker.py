from __future__ import annotations

import json

import pytest
from pydantic import ValidationError
from quantflow.expr import Diagnostic, ExpressionError, ValueKind, compile_expression


def problems(text: str, **inputs: ValueKind) -> list[Diagnostic]:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, inputs=inputs or None)
    return caught.value.diagnostics


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("crossover(sma(close, 10), sma(close, 30)) and rsi(close, 14) < 70", ValueKind.BOOL),
        ("close > highest(high->1, 20)", ValueKind.BOOL),
        ("(close - close->5) / close->5 > 0.03", ValueKind.BOOL),
        ('close > sma(lookup("VNINDEX", close), 50)', ValueKind.BOOL),
        ("if(close > open, high, low) * 2", ValueKind.NUMBER),
        ("macd(close) - macd_signal(close, fast=5, slow=10, signal=3)", ValueKind.NUMBER),
        ("bbands_upper(close, 20, k=2.5) > close", ValueKind.BOOL),
        ("nz(close->3, value=-1)", ValueKind.NUMBER),
        ("(close > open) == (close->1 > open->1)", ValueKind.BOOL),
        ("(close > open)->1", ValueKind.BOOL),
    ],
)
def test_well_typed_expressions(text: str, kind: ValueKind) -> None:
    assert compile_expression(text).result_kind is kind


def test_misspelled_function_gets_a_suggestion() -> None:
    (problem,) = problems("smaa(close, 3) > 1")
    assert problem.message == "unknown function 'smaa' — did you mean 'sma'?"
    assert problem.suggestion == "sma"
    assert (problem.line, problem.column, problem.end_column) == (1, 1, 5)


def test_misspelled_name_and_keyword_get_suggestions() -> None:
    first, second = problems("rsi(clsoe, m=3)")
    assert first.suggestion == "close"
    assert second.suggestion is None or second.suggestion == "n"
    assert "no parameter 'm'" in second.message


def test_all_type_errors_reported_in_one_pass() -> None:
    found = problems("sma(close, 0) + foo\n  and rsi(close, n=2.5) or true + 1")
    messages = [p.message for p in found]
    assert len(found) >= 4, messages
    assert any("at least 2" in m for m in messages)
    assert any("unknown name 'foo'" in m for m in messages)
    assert any("whole number" in m for m in messages)
    assert any("'+' needs numbers" in m for m in messages)
    assert {p.line for p in found} == {1, 2}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("sma(close, n)", "written as a literal"),
        ("sma(close, 10 + 10)", "written as a literal"),
        ("sma(close, 20.5)", "whole number"),
        ("sma(close, 100001)", "at most 100000"),
        ("sma(close)", "missing 'n'"),
        ("sma(close, 3, 4)", "at most 2 argument"),
        ("sma(close, 3, n=4)", "got 'n' twice"),
        ("sma(close > 1, 3)", "must be a number, not a boolean"),
        ("crossover(close, open) + 1", "left side is a boolean"),
        ("not close", "needs a boolean"),
        ("-(close > 1)", "needs a number"),
        ("close and true", "left side is a number"),
        ("close == true", "compares a number with a boolean"),
        ("if(close > 1, close, true)", "branches differ"),
        ("if(close > 1, close)", "exactly three"),
        ('lookup(VNINDEX, close)', "symbol in quotes"),
        ('lookup("VNINDEX", lookup("VN30", close))', "cannot be nested"),
        ('"HPG" > 1', "a string can only name an instrument"),
        ("sma > 1", "is a function"),
        ("close(3)", "is a series, not a function"),
        ("bbands_upper(close, 20, k=-1)", "at least 0"),
        ("round(close, 2.0)", "whole number"),
    ],
)
def test_type_errors(text: str, fragment: str) -> None:
    messages = [p.message for p in problems(text)]
    assert any(fragment in m for m in messages), messages


def test_named_inputs_are_typed() -> None:
    assert compile_expression("signal and score > 0.5", inputs={"signal": ValueKind.BOOL, "score": "number"}).result_kind is ValueKind.BOOL
    (problem,) = problems("signal + 1", signal=ValueKind.BOOL)
    assert "left side is a boolean" in problem.message


def test_named_inputs_are_not_instrument_fields() -> None:
    (problem,) = problems('lookup("VNINDEX", score)', score=ValueKind.NUMBER)
    assert "input of this node" in problem.message


def test_input_names_cannot_shadow_bar_fields() -> None:
    with pytest.raises(ValueError, match="collides"):
        compile_expression("close", inputs={"close": ValueKind.NUMBER})
    with pytest.raises(ValueError, match="identifier"):
        compile_expression("1", inputs={"not a name": ValueKind.NUMBER})


def test_diagnostic_is_frozen_json_ready() -> None:
    (problem,) = problems("smaa(close, 3)")
    payload = json.loads(problem.model_dump_json())
    assert set(payload) == {"message", "line", "column", "end_column", "excerpt", "suggestion"}
    with pytest.raises(ValidationError, match="frozen"):
        problem.line = 3  # type: ignore[misc]
    with pytest.raises(ValidationError, match="unexpected"):
        Diagnostic(message="m", line=1, column=1, end_column=2, excerpt="", unexpected=1)  # type: ignore[call-arg]


def test_expression_error_is_a_quantflow_error() -> None:
    from quantflow.errors import QuantflowError

    assert issubclass(ExpressionError, QuantflowError)
