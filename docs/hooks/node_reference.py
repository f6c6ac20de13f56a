"""mkdocs hook: fills docs/nodes.md with the reference of every installed node type, generated
from the same metadata the canvas reads, so the reference cannot drift from the code."""

from __future__ import annotations

import json
from typing import Any

MARKER = "<!-- node-reference -->"


def _params_table(schema: dict[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    if not properties:
        return ["No params."]
    rows = ["| param | type | default | description |", "|---|---|---|---|"]
    for name, prop in properties.items():
        kind = prop.get("type") or " / ".join(p.get("type", "?") for p in prop.get("anyOf", [])) or "object"
        if "enum" in prop:
            kind = " \\| ".join(f"`{v}`" for v in prop["enum"])
        default = json.dumps(prop["default"], ensure_ascii=False) if "default" in prop else "required"
        description = prop.get("description", "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{name}` | {kind} | `{default}` | {description} |")
    return rows


def _ports(ports: list[dict[str, Any]]) -> str:
    if not ports:
        return "none"
    return ", ".join(
        f"`{p['name']}` ({p['type']}{'' if p['required'] else ', optional'}{', many' if p['multiple'] else ''})"
        for p in ports
    )


def reference() -> str:
    from quantflow.nodes.catalog import build_catalog
    from quantflow.plugins import get_host

    catalog = build_catalog(get_host().registry.node_types)
    lines: list[str] = []
    category = None
    for node in catalog.node_types:
        if node.category != category:
            category = node.category
            lines += ["", f"## {category.title()}", ""]
        lines += [
            f"### `{node.type_id}` — {node.title}",
            "",
            node.description or "",
            "",
            f"Version {node.version} · plugin `{node.plugin}`"
            + (" · **side effects**" if node.side_effects else "")
            + (f" · deprecated: {node.deprecated}" if node.deprecated else ""),
            "",
            f"Inputs: {_ports([p.model_dump() for p in node.inputs])}  ",
            f"Outputs: {_ports([p.model_dump() for p in node.outputs])}",
            "",
            *_params_table(node.params_schema),
            "",
        ]
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return markdown.replace(MARKER, reference()) if MARKER in markdown else markdown
