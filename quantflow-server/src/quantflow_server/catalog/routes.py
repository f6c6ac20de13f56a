"""Node catalog, plugins and the expression language, for the canvas.

The node catalog only changes when plugins change, i.e. between server starts, so it is rendered
once and served with a strong ETag; a canvas that already has it gets a 304 and no body.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from quantflow.expr import ExpressionError, ValueKind, compile_expression, default_registry
from quantflow.expr.limits import MAX_LENGTH
from quantflow.nodes.catalog import build_catalog
from quantflow.plugins.host import PluginHost, PluginInfo

from quantflow_server.errors import ProblemError


class RenderedCatalog:
    def __init__(self, host: PluginHost) -> None:
        catalog = build_catalog(host.registry.node_types)
        self.body = json.dumps(catalog.model_dump(mode="json"), separators=(",", ":"), sort_keys=True).encode()
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


class ExpressionCheck(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    expression: Annotated[str, StringConstraints(max_length=MAX_LENGTH)]
    inputs: dict[Annotated[str, StringConstraints(max_length=64)], ValueKind] = Field(
        default_factory=dict, description="The node's extra input series and their kinds.", max_length=64
    )


class ExpressionResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    ok: bool
    result_kind: ValueKind | None = None
    diagnostics: list[dict[str, Any]] = Field(default_factory=list)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in header.split(",")]


class CatalogController(Controller):
    path = "/api"
    tags = ["catalog"]

    @get("/node-types", summary="Every node type with its JSON Schema and ports (ETag, 304)")
    async def node_types(self, request: Request[Any, Any, Any], state: State) -> Response[bytes]:
        catalog: RenderedCatalog = state.catalog
        headers = {"ETag": catalog.etag, "Cache-Control": "private, no-cache"}
        if _etag_matches(request.headers.get("if-none-match"), catalog.etag):
            return Response(b"", status_code=304, headers=headers)
        return Response(catalog.body, media_type="application/json", headers=headers)

    @get("/plugins", summary="Installed plugins: version, hooks, what each registered, errors")
    async def plugins(self, state: State) -> list[PluginInfo]:
        return state.host.plugins()  # type: ignore[no-any-return]

    @post("/expressions/validate", status_code=200, summary="Check an expression: diagnostics or its result kind")
    async def validate_expression(self, data: JSONBody[ExpressionCheck]) -> ExpressionResult:
        try:
            compiled = compile_expression(data.expression, data.inputs)
        except ExpressionError as exc:
            return ExpressionResult(ok=False, diagnostics=[d.model_dump(mode="json") for d in exc.diagnostics])
        except ValueError as exc:  # an unusable input name
            raise ProblemError(422, str(exc), errors=[{"field": "inputs", "message": str(exc)}]) from None
        return ExpressionResult(ok=True, result_kind=compiled.result_kind)

    @get("/expressions/functions", summary="Every expression function, for autocomplete")
    async def functions(self) -> list[dict[str, Any]]:
        return _FUNCTIONS


_FUNCTIONS = default_registry().catalog()
