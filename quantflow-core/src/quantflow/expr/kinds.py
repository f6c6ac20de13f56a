"""The few kinds of value an expression handles, and the kinds of argument a function accepts."""

from __future__ import annotations

from enum import StrEnum


class ValueKind(StrEnum):
    """What an expression (or a named input) produces: one value per bar."""

    NUMBER = "number"  # float64 series; NaN marks "no value yet" (warm-up) or a gap
    BOOL = "bool"  # numpy bool series; never NaN — warm-up bars are simply false


class ParamKind(StrEnum):
    """What a function parameter accepts. Only NUMBER and BOOL take series; the rest are literals,
    fixed when the expression is compiled, so window sizes can never change from bar to bar."""

    NUMBER = "number"  # a number series; a literal number is broadcast to every bar
    BOOL = "bool"  # a boolean series
    WINDOW = "window"  # a positive whole-number literal: a count of bars
    INTEGER = "integer"  # a whole-number literal (e.g. decimal places)
    CONSTANT = "constant"  # a number literal, optionally negated (e.g. a band width multiplier)

    @property
    def is_series(self) -> bool:
        return self in (ParamKind.NUMBER, ParamKind.BOOL)
