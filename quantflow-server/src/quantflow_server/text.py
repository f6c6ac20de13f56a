"""Text the databases can store. PostgreSQL refuses NUL (U+0000) in text and JSON columns, so it
is refused where input arrives, naming the field, on SQLite too: both backends behave alike and a
client's NUL is a 422, never a 500 from the driver."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response
from pydantic import AfterValidator, StringConstraints

from quantflow_server.errors import problem

NUL = "\x00"
NUL_MESSAGE = "must not contain the NUL character (U+0000)"


def _no_nul(value: str) -> str:
    if NUL in value:
        raise ValueError(NUL_MESSAGE)
    return value


NoNul = AfterValidator(_no_nul)


def text(max_length: int, *, min_length: int = 0, strip: bool = False) -> Any:
    """A str type of bounded length without NUL, for request bodies."""
    return Annotated[
        str, StringConstraints(min_length=min_length, max_length=max_length, strip_whitespace=strip), NoNul
    ]


def nul_path(value: Any, path: str) -> str | None:
    """The JSON path of the first string (key or value) holding NUL inside `value`, or None."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            if NUL in str(key):
                return where
            if (found := nul_path(item, where)) is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := nul_path(item, f"{path}[{index}]")) is not None:
                return found
    return None


async def refuse_nul_in_url(request: Request[Any, Any, Any]) -> Response[dict[str, Any]] | None:
    """Before any handler: a NUL in the path or query would reach the database as an id or filter."""
    if NUL in request.scope["path"] or b"%00" in request.scope.get("query_string", b""):
        return problem(400, "Bad Request", f"the URL {NUL_MESSAGE}", errors=[{"field": "url", "message": NUL_MESSAGE}])
    return None
