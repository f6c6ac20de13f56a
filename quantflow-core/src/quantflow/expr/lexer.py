"""Tokenizer: expression text to a list of tokens with exact source offsets.

Identifiers are ASCII (`[A-Za-z_][A-Za-z0-9_]*`). Numbers allow `_` between digits, a fraction
and an exponent (`1_000`, `1.5e3`). Strings use single or double quotes, have no escapes and stay
on one line — they only name instruments. Anything else is an error located at its character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from quantflow.expr.ast import Span
from quantflow.expr.errors import ExpressionError, diagnostic_at


class TokenType(Enum):
    NUMBER = "number"
    STRING = "string"
    NAME = "name"
    OP = "operator"
    EOF = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    type: TokenType
    text: str
    span: Span


_DIGITS = r"[0-9](?:_?[0-9])*"
_NUMBER = re.compile(rf"{_DIGITS}(?:\.{_DIGITS})?(?:[eE][+-]?{_DIGITS})?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"[ \t\r\n]+")
# Longest operators first so `**` is not read as two `*`, `->` not as `-`.
_OPERATORS = ("**", "->", "<=", ">=", "==", "!=", "+", "-", "*", "/", "%", "<", ">", "(", ")", ",", "=")
_HINTS = {
    ".": "attribute access and '.5'-style numbers are not supported; write 0.5",
    "&": "use 'and'",
    "|": "use 'or'",
    "!": "use 'not' (or '!=' for 'not equal')",
    "[": "use 'x->n' for the value n bars ago",
    "]": "use 'x->n' for the value n bars ago",
    "^": "use '**' for powers",
    ";": "an expression is a single formula",
}


def tokenize(text: str) -> list[Token]:
    """Split `text` into tokens, ending with an EOF token; raise ExpressionError on a bad character."""
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        if match := _SPACE.match(text, pos):
            pos = match.end()
            continue
        if char.isdigit() and char.isascii():
            match = _NUMBER.match(text, pos)
            assert match is not None
            end = match.end()
            if end < length and (text[end].isalnum() or text[end] in "_."):
                raise _error(text, pos, end + 1, f"malformed number '{text[pos:end + 1]}'")
            tokens.append(Token(TokenType.NUMBER, match.group(), Span(pos, end)))
            pos = end
            continue
        if match := _NAME.match(text, pos):
            tokens.append(Token(TokenType.NAME, match.group(), Span(pos, match.end())))
            pos = match.end()
            continue
        if char in "'\"":
            end = _string_end(text, pos)
            tokens.append(Token(TokenType.STRING, text[pos + 1 : end - 1], Span(pos, end)))
            pos = end
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
        if operator is not None:
            tokens.append(Token(TokenType.OP, operator, Span(pos, pos + len(operator))))
            pos += len(operator)
            continue
        hint = _HINTS.get(char)
        shown = char if char.isprintable() else repr(char)
        message = f"unexpected character '{shown}'" + (f": {hint}" if hint else "")
        raise _error(text, pos, pos + 1, message)
    tokens.append(Token(TokenType.EOF, "", Span(length, length)))
    return tokens


def _string_end(text: str, start: int) -> int:
    quote = text[start]
    pos = start + 1
    while pos < len(text):
        if text[pos] == quote:
            return pos + 1
        if text[pos] == "\n":
            break
        pos += 1
    raise _error(text, start, pos, "string is not closed on the same line")


def _error(text: str, start: int, end: int, message: str) -> ExpressionError:
    return ExpressionError([diagnostic_at(text, start, end, message)])
