"""The shape shared by every registrable component that is not a node: an id, words for people,
and a factory that builds it from a validated config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from quantflow.errors import PluginError
from quantflow.nodes.spec import TYPE_ID_PATTERN


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """`id` is namespaced and stable ('core:paper', 'dnse:broker'); `factory(config)` builds one."""

    id: str
    title: str
    factory: Callable[..., Any]
    description: str = ""
    config_model: type[BaseModel] | None = None

    def __post_init__(self) -> None:
        if not TYPE_ID_PATTERN.match(self.id):
            raise PluginError(
                f"{type(self).__name__} id {self.id!r} must be 'namespace:name' in lower case"
            )

    def create(self, config: dict[str, Any] | None = None) -> Any:
        """Validate `config` against `config_model` (if any) and build the component."""
        if self.config_model is None:
            return self.factory()
        return self.factory(self.config_model.model_validate(config or {}))
