"""Workflow documents for tests and benchmarks, derived from the published examples so that what
is measured and tested is what users run."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "workflows"


def example(name: str) -> dict[str, Any]:
    """examples/workflows/<name>.json as a plain document."""
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return loaded


def with_params(workflow: dict[str, Any], **params: dict[str, Any]) -> dict[str, Any]:
    """A copy of `workflow` whose nodes named by keyword get exactly these params."""
    changed = copy.deepcopy(workflow)
    unknown = set(params) - {node["id"] for node in changed["nodes"]}
    if unknown:
        raise KeyError(f"the workflow has no node(s) {sorted(unknown)}")
    for node in changed["nodes"]:
        if node["id"] in params:
            node["params"] = dict(params[node["id"]])
    return changed
