"""Models built from values that are valid by construction, without pydantic's per-field loop.

`model_construct` already skips validation, but walks every field (aliases, defaults) in Python on
each call; an order's life in a backtest builds several models per event. These helpers give the
same instance `model_construct` / `model_copy` give (same `__dict__`, same fields set), for callers
that pass every field already of its validated type. Never use them on input from outside (users,
plugins, stores, APIs): that goes through the normal constructor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__
# BaseModel's own slots, set through their descriptors (no attribute lookup by name per call)
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def built(cls: type[M], values: dict[str, Any], fields_set: set[str] | None = None) -> M:
    """`cls.model_construct(**values)` when `values` names every field (the dict is kept, not
    copied); `fields_set` as `model_construct`'s `_fields_set` (default: the keys of `values`).
    A given `fields_set` is shared, not copied: pass one only for a frozen model (pydantic never
    changes a frozen model's set; copies copy it), e.g. one module-level set per record kind."""
    model = _new(cls)
    _set(model, "__dict__", values)
    _set_fields(model, set(values) if fields_set is None else fields_set)
    _set_extra(model, None)
    _set_private(model, None)
    return model


def built_all(cls: type[M], rows: Iterable[dict[str, Any]], fields_set: set[str]) -> list[M]:
    """`built(cls, values, fields_set)` for each dict of `rows`, in one loop: the per-call cost is
    a good part of building a backtest's thousands of result rows."""
    out: list[M] = []
    append = out.append
    for values in rows:
        model = _new(cls)
        _set(model, "__dict__", values)
        _set_fields(model, fields_set)
        _set_extra(model, None)
        _set_private(model, None)
        append(model)
    return out


def changed(model: M, update: Mapping[str, Any]) -> M:
    """`model.model_copy(update=update)` for a model without extra or private attributes."""
    copy = _new(type(model))
    _set(copy, "__dict__", {**model.__dict__, **update})
    fields_set = model.__pydantic_fields_set__  # shared when nothing new is set, if frozen
    same = update.keys() <= fields_set and model.model_config.get("frozen")
    _set_fields(copy, fields_set if same else fields_set | update.keys())
    _set_extra(copy, None)
    _set_private(copy, None)
    return copy
