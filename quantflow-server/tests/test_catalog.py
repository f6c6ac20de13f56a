"""The node catalog, plugins and the expression endpoints the canvas builds itself from."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient


def test_node_types_serve_the_catalog_with_an_etag(api) -> None:
    headers = api.add_user("alice")
    response = api.client.get("/api/node-types", headers=headers)
    assert response.status_code == 200
    catalog = response.json()
    ids = {n["type_id"] for n in catalog["node_types"]}
    assert {"core:manual_trigger", "core:constant", "test:wait"} <= ids
    constant = next(n for n in catalog["node_types"] if n["type_id"] == "core:constant")
    assert constant["params_schema"]["properties"]["value"]["type"] == "number"
    assert "scalar" in catalog["port_types"]
    etag = response.headers["etag"]
    again = api.client.get("/api/node-types", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = api.client.get("/api/node-types", headers={**headers, "If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_the_etag_changes_when_the_plugins_change(settings, make_app, api) -> None:
    from quantflow.builtin import plugin as core_plugin
    from quantflow.plugins import PluginHost

    headers = api.add_user("alice")
    full = api.client.get("/api/node-types", headers=headers).headers["etag"]
    core_only = PluginHost()
    core_only.add_plugin(core_plugin, "core", distribution="quantflow")
    with TestClient(make_app(settings, host=core_only)) as client:  # same database, fewer plugins
        assert client.get("/api/node-types", headers=headers).headers["etag"] != full


def test_plugins_list_what_each_registered(api) -> None:
    headers = api.add_user("alice")
    plugins = {p["name"]: p for p in api.client.get("/api/plugins", headers=headers).json()}
    assert "core:constant" in plugins["core"]["registered"]["node_types"]
    assert sorted(plugins["servertest"]["registered"]["node_types"]) == ["test:fail", "test:wait"]


def test_expression_validation_gives_positions_or_the_result_kind(api) -> None:
    headers = api.add_user("alice")
    ok = api.client.post("/api/expressions/validate", json={"expression": "sma(close, 10) > close"}, headers=headers)
    assert ok.json() == {"ok": True, "result_kind": "bool", "diagnostics": []}
    num = api.client.post(
        "/api/expressions/validate", json={"expression": "x * 2", "inputs": {"x": "number"}}, headers=headers
    )
    assert num.json()["result_kind"] == "number"
    bad = api.client.post("/api/expressions/validate", json={"expression": "sma(close, 10) > clos"}, headers=headers)
    diagnostic = bad.json()["diagnostics"][0]
    assert bad.json()["ok"] is False
    assert (diagnostic["line"], diagnostic["column"], diagnostic["end_column"]) == (1, 18, 22)
    assert diagnostic["suggestion"] == "close"
    clash = api.client.post(
        "/api/expressions/validate", json={"expression": "1", "inputs": {"close": "number"}}, headers=headers
    )
    assert clash.status_code == 422 and clash.json()["errors"][0]["field"] == "inputs"


def test_expression_functions_for_autocomplete(api) -> None:
    headers = api.add_user("alice")
    functions = {f["name"]: f for f in api.client.get("/api/expressions/functions", headers=headers).json()}
    assert {"sma", "rsi", "crossover"} <= functions.keys()
    assert [p["name"] for p in functions["sma"]["params"]][:1] == ["x"] or functions["sma"]["params"]


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_any_expression_text_gets_an_answer_never_a_server_error(text, expression_client) -> None:
    client, headers = expression_client
    response = client.post("/api/expressions/validate", json={"expression": text}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] == (body["result_kind"] is not None) and body["ok"] != bool(body["diagnostics"])
