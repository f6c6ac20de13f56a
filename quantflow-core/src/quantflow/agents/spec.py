"""Agents: decision makers (rule-based or LLM-backed, with memory) that nodes can consult."""

from __future__ import annotations

from dataclasses import dataclass

from quantflow.plugins.components import ComponentSpec


@dataclass(frozen=True, slots=True)
class AgentSpec(ComponentSpec):
    """A registrable agent; `factory(config)` returns an object with `async decide(context)`."""
