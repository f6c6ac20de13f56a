"""PostgreSQL cannot store NUL (U+0000) in text or JSON: such input is refused at the boundary with
the field named, on both databases alike — never a 500, never half stored."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantflow_server.text import NUL, nul_path


def _field_named(response: Any, field: str) -> None:
    assert response.status_code in (400, 422), response.text
    body = response.json()
    assert any(field in str(e.get("field", "")) or field in str(e.get("key", "")) for e in body.get("errors", [])) or (
        field in body.get("detail", "")
    ), body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "fix\x00"}, "message"),
        ({"document_name": "He\x00llo"}, "name"),
        ({"log_message": "the answer\x00"}, "document.nodes[4].params.message"),
    ],
)
def test_a_workflow_with_nul_text_is_refused_by_field(api, hello, body, field) -> None:
    headers = api.add_user("alice")
    document = dict(hello)
    if "document_name" in body:
        document["name"] = body["document_name"]
    if "log_message" in body:
        document["nodes"] = [*hello["nodes"][:-1], {**hello["nodes"][-1], "params": {"message": body["log_message"]}}]
    payload = {"document": document, "message": body.get("message", "")}
    _field_named(api.client.post("/api/workflows", json=payload, headers=headers), field)
    assert api.client.get("/api/workflows", headers=headers).json() == []


def test_a_credential_name_with_nul_is_refused_by_field(api) -> None:
    headers = api.add_user("alice")
    body = {"name": "main\x00", "api_key": "k", "secret": "s"}
    _field_named(api.client.post("/api/credentials", json=body, headers=headers), "name")


def test_a_login_with_nul_is_refused_not_a_server_error(api) -> None:
    api.add_user("alice")
    response = api.client.post("/api/auth/token", data={"username": "ali\x00ce", "password": "x"})
    assert response.status_code in (400, 401, 422), response.text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


def _all_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(k + _all_text(v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(map(_all_text, value))
    return ""


@given(json_values)
def test_nul_path_finds_a_nul_exactly_when_one_is_there(value: Any) -> None:
    found = nul_path(value, "doc")
    assert (found is None) == (NUL not in _all_text(value))
    if found is not None:
        assert found.startswith("doc")


@pytest.mark.parametrize(
    "path",
    ["/api/workflows/a%00b", "/api/runs/a%00b", "/api/workflows/a%00b/activation", "/api/runs?workflow_id=a%00b"],
)
def test_a_nul_in_an_id_is_a_client_error(api, path) -> None:
    headers = api.add_user("alice")
    assert api.client.get(path, headers=headers).status_code in (400, 404, 422)
