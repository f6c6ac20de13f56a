"""Every error leaves the server as RFC 9457 problem-details JSON naming what was wrong.

A client's mistake is a 4xx with the offending field; only a bug on our side is a 500, and then
without internals in the body (the traceback goes to the log).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_409_CONFLICT, HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import IntegrityError

log = logging.getLogger("quantflow.server")
PROBLEM_JSON = "application/problem+json"


class ProblemError(HTTPException):
    """An HTTP error with problem-details members beyond `detail` (e.g. `problems`, `errors`)."""

    def __init__(self, status_code: int, detail: str, *, title: str | None = None, **members: Any) -> None:
        super().__init__(detail=detail, status_code=status_code)
        self.title = title
        self.members = members


def problem(status: int, title: str, detail: str, **members: Any) -> Response[dict[str, Any]]:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **members}
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


_MISSING_PARAMETER = re.compile(r"Missing required (\w+) parameter '([^']+)'")


def _field_errors(exc: HTTPException) -> list[dict[str, Any]]:
    """What Litestar rejected, as [{field, message, source}]. A failure about the body as a whole
    (malformed JSON, an array where an object belongs) names the field `body`."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field_name = item.get("key") or "body"
            errors.append({"field": field_name, "message": item.get("message"), "source": item.get("source") or "body"})
    if errors:
        return errors
    if missing := _MISSING_PARAMETER.search(exc.detail):
        return [{"field": missing[2], "message": "required", "source": missing[1]}]
    return [{"field": "body", "message": exc.detail, "source": "body"}]


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    title = getattr(exc, "title", None) or _TITLES.get(status, "Error")
    members = dict(getattr(exc, "members", {}))
    if (status == HTTP_400_BAD_REQUEST and not isinstance(exc, ProblemError)) or isinstance(exc, ValidationException):
        members.setdefault("errors", _field_errors(exc))
    response = problem(status, title, exc.detail, **members)
    if isinstance(exc, NotAuthorizedException):
        response.headers["WWW-Authenticate"] = "Bearer"
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def integrity_error_handler(request: Request[Any, Any, Any], exc: IntegrityError) -> Response[dict[str, Any]]:
    return problem(HTTP_409_CONFLICT, "Conflict", "the change conflicts with existing data")


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "Internal Server Error", "the server failed; see its log")


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    423: "Locked",
    429: "Too Many Requests",
}

EXCEPTION_HANDLERS: dict[Any, Any] = {
    HTTPException: http_exception_handler,
    IntegrityError: integrity_error_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}

__all__ = ["EXCEPTION_HANDLERS", "MediaType", "ProblemError", "problem"]
