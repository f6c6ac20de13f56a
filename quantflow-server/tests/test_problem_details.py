"""Every client mistake, on every route, is problem-details JSON; a rejected request names the field.

Walks the app's own route table (so a route added later is covered) with malformed requests: a
body that is not JSON, an array where an object belongs, a form body, nonsense query parameters,
and path parameters that are too long or not numbers.
"""

from __future__ import annotations

import re
from typing import Any

from litestar.routes import HTTPRoute

from quantflow_server.auth.principal import Role

# Both would revoke the token the walk is using; their bodies are covered by test_auth.
SKIP = {"/api/auth/logout", "/api/auth/password"}
BAD_PATH_VALUE = {"str": "x" * 70, "int": "not-a-number"}


def _malformed(headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {
        "not JSON": {"content": b"{not json", "headers": {**headers, "content-type": "application/json"}},
        "an array": {"json": [1, 2], "headers": headers},
        "a form": {"content": b"a=%ZZ&b", "headers": {**headers, "content-type": "application/x-www-form-urlencoded"}},
        "bad query": {
            "params": {"limit": "many", "offset": "-5", "status": "bogus", "to": "x", "workflow_id": "w" * 99},
            "headers": headers,
        },
    }


def _assert_problem(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code < 400:
        return
    assert response.headers["content-type"].startswith("application/problem+json"), f"{what}: {response.text[:300]}"
    body = response.json()
    assert body["status"] == response.status_code and body["title"] and body["detail"], what
    if response.status_code in (400, 422):
        assert body.get("errors") and all(e["field"] for e in body["errors"]), f"{what} names no field: {body}"


def test_malformed_requests_get_problem_details_naming_the_field(api) -> None:
    headers = api.add_user("root", Role.ADMIN)
    checked = 0
    for route in api.client.app.routes:
        if not isinstance(route, HTTPRoute) or route.path in SKIP:
            continue
        path = re.sub(r"\{\w+:(\w+)\}", lambda m: BAD_PATH_VALUE.get(m.group(1), "x"), route.path)
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            for label, request in _malformed(headers).items():
                response = api.client.request(method, path, **request)
                _assert_problem(response, f"{method} {route.path} with {label}")
                checked += 1
    assert checked > 100


def test_a_missing_query_parameter_is_named(api) -> None:
    headers = api.add_user("alice")
    wid = api.client.post("/api/workflows", json={"document": _tiny()}, headers=headers).json()["id"]
    response = api.client.get(f"/api/workflows/{wid}/diff?from=1", headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "to", "message": "required", "source": "query"}]


def test_a_body_that_is_not_json_is_named_body(api) -> None:
    headers = {**api.add_user("alice"), "content-type": "application/json"}
    response = api.client.post("/api/workflows", content=b"{oops", headers=headers)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def _tiny() -> dict[str, Any]:
    return {"id": "t", "name": "T", "nodes": [{"id": "start", "type": "core:manual_trigger"}], "edges": []}
