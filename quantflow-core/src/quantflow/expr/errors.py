"""Diagnostics for expression errors.

A `Diagnostic` is plain data (a frozen pydantic model) so the web canvas can underline the exact
characters and the server can return it as JSON unchanged. Positions are 1-based; `end_column` is
exclusive, so a one-character problem at column 5 has `end_column == 6`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from quantflow.errors import QuantflowError

_EXCERPT_WIDTH = 100  # characters of context shown around a problem on very long lines


class Diagnostic(BaseModel):
    """One problem in an expression, located precisely enough to underline it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str
    line: int
    column: int
    end_column: int
    excerpt: str
    suggestion: str | None = None

    def render(self) -> str:
        """Human-readable form: position, message, the source line and a caret line."""
        head = f"line {self.line}, column {self.column}: {self.message}"
        return f"{head}\n{self.excerpt}"


class ExpressionError(QuantflowError):
    """The expression text was refused; `diagnostics` lists every problem found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        if not self.diagnostics:
            raise ValueError("ExpressionError needs at least one diagnostic")
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def diagnostic_at(
    text: str, start: int, end: int, message: str, suggestion: str | None = None
) -> Diagnostic:
    """Build a diagnostic for the character range [start, end) of `text` (0-based offsets).

    A range spanning several lines is underlined to the end of its first line.
    """
    start = max(0, min(start, len(text)))
    end = max(start + 1, end)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    if line_end == -1:
        line_end = len(text)
    line_no = text.count("\n", 0, start) + 1
    column = start - line_start + 1
    end_column = min(end, max(line_end, start + 1)) - line_start + 1
    source_line = text[line_start:line_end]
    # Show a window of a long line so the excerpt stays readable; the caret follows the window.
    offset = max(0, column - 1 - _EXCERPT_WIDTH // 2)
    shown = source_line[offset : offset + _EXCERPT_WIDTH]
    caret_from = column - 1 - offset
    caret_len = max(1, min(end_column - column, len(shown) - caret_from))
    excerpt = f"  {shown}\n  {' ' * caret_from}{'^' * caret_len}"
    if suggestion:
        message = f"{message} — did you mean '{suggestion}'?"
    return Diagnostic(
        message=message,
        line=line_no,
        column=column,
        end_column=end_column,
        excerpt=excerpt,
        suggestion=suggestion,
    )


class EvaluationError(QuantflowError):
    """A compiled expression was given data it cannot use (a missing column, unequal lengths)."""
