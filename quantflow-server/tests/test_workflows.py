"""Workflows: revisions, optimistic concurrency, diff, restore, import/export, validation, isolation."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quantflow_server.auth.principal import Role
from quantflow_server.workflows.diff import diff_documents


def _create(api, headers, document, **extra) -> dict[str, Any]:
    response = api.client.post("/api/workflows", json={"document": document, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _save(api, headers, wid, document, base, **extra):
    return api.client.put(
        f"/api/workflows/{wid}", json={"document": document, "base_revision": base, **extra}, headers=headers
    )


def test_create_read_update_delete(api, hello) -> None:
    headers = api.add_user("alice")
    created = _create(api, headers, hello, message="first")
    assert (
        created["head_revision"] == 1 and created["owner"] == "alice" and created["document"]["name"] == hello["name"]
    )
    wid = created["id"]
    changed = copy.deepcopy(hello) | {"name": "Hello again"}
    response = _save(api, headers, wid, changed, 1, message="rename")
    assert response.status_code == 200 and response.json()["head_revision"] == 2
    assert api.client.get(f"/api/workflows/{wid}", headers=headers).json()["name"] == "Hello again"
    assert [w["id"] for w in api.client.get("/api/workflows", headers=headers).json()] == [wid]
    assert api.client.delete(f"/api/workflows/{wid}", headers=headers).status_code == 204
    assert api.client.get(f"/api/workflows/{wid}", headers=headers).status_code == 404
    assert api.client.get("/api/workflows", headers=headers).json() == []


def test_every_save_is_a_revision_with_author_time_and_message(api, hello) -> None:
    headers = api.add_user("alice")
    wid = _create(api, headers, hello, message="first")["id"]
    for base in (1, 2):
        doc = copy.deepcopy(hello)
        doc["nodes"][1]["params"]["value"] = base * 10
        assert _save(api, headers, wid, doc, base, message=f"edit {base}").status_code == 200
    revisions = api.client.get(f"/api/workflows/{wid}/revisions", headers=headers).json()
    assert [(r["number"], r["author"], r["message"]) for r in revisions] == [
        (3, "alice", "edit 2"),
        (2, "alice", "edit 1"),
        (1, "alice", "first"),
    ]
    assert all(r["created_at"].endswith("Z") or "+" in r["created_at"] for r in revisions)
    first = api.client.get(f"/api/workflows/{wid}/revisions/1", headers=headers).json()
    assert first["document"]["nodes"][1]["params"]["value"] == 2


def test_a_stale_base_revision_is_a_409_and_changes_nothing(api, hello) -> None:
    headers = api.add_user("alice")
    wid = _create(api, headers, hello)["id"]
    assert _save(api, headers, wid, hello | {"name": "A"}, 1).status_code == 200
    stale = _save(api, headers, wid, hello | {"name": "B"}, 1)
    assert stale.status_code == 409
    body = stale.json()
    assert body["head_revision"] == 2 and body["errors"][0]["field"] == "base_revision"
    assert api.client.get(f"/api/workflows/{wid}", headers=headers).json()["name"] == "A"
    assert _save(api, headers, wid, hello, 99).status_code == 409


def test_invalid_graph_is_422_with_keyed_problems_unless_draft(api, hello) -> None:
    headers = api.add_user("alice")
    broken = copy.deepcopy(hello)
    broken["nodes"][1]["params"]["value"] = "not a number"
    broken["nodes"].append({"id": "ghost", "type": "nope:missing"})
    response = api.client.post("/api/workflows", json={"document": broken}, headers=headers)
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Invalid workflow"
    keyed = {(p["code"], p["node_id"], p["param"]) for p in body["problems"] if p["severity"] == "error"}
    assert ("invalid_param", "a", "value") in keyed
    assert ("unknown_type", "ghost", None) in keyed
    draft = _create(api, headers, broken, draft=True)
    assert draft["draft"] is True and any(p["code"] == "unknown_type" for p in draft["problems"])
    # A draft can be fixed later by a normal save.
    assert _save(api, headers, draft["id"], hello, 1).json()["draft"] is False
    # Not even a draft may be something that is not a workflow document.
    assert (
        api.client.post("/api/workflows", json={"document": {"x": 1}, "draft": True}, headers=headers).status_code
        == 422
    )


def test_a_read_shows_the_head_revision_with_its_problems_and_owner(api, hello) -> None:
    headers = api.add_user("alice")
    broken = copy.deepcopy(hello)
    broken["nodes"].append({"id": "ghost", "type": "nope:missing"})
    draft = _create(api, headers, broken, draft=True)
    for _ in range(2):  # the second read is answered from the revision's kept problems: the same answer
        read = api.client.get(f"/api/workflows/{draft['id']}", headers=headers).json()
        assert read["problems"] == draft["problems"] and read["head_revision"] == 1 and read["owner"] == "alice"
    _save(api, headers, draft["id"], hello, 1)
    fixed = api.client.get(f"/api/workflows/{draft['id']}", headers=headers).json()
    saved_hello = _create(api, headers, hello)["document"]
    assert fixed["head_revision"] == 2 and fixed["document"]["nodes"] == saved_hello["nodes"]
    assert not [p for p in fixed["problems"] if p["severity"] == "error"]
    root = api.add_user("root", Role.ADMIN)
    assert api.client.get(f"/api/workflows/{draft['id']}", headers=root).json()["owner"] == "alice"
    assert api.client.get(f"/api/workflows/{draft['id']}", headers=api.add_user("bob")).status_code == 404


def test_validate_endpoint_reports_problems_without_saving(api, hello) -> None:
    headers = api.add_user("alice")
    ok = api.client.post("/api/workflows/validate", json=hello, headers=headers)
    assert ok.status_code == 200 and ok.json()["ok"] is True
    bad = api.client.post("/api/workflows/validate", json=hello | {"edges": [{"source": "x"}]}, headers=headers).json()
    assert bad["ok"] is False and bad["problems"]
    assert api.client.get("/api/workflows", headers=headers).json() == []


def test_diff_names_added_removed_and_changed_params(api, hello) -> None:
    headers = api.add_user("alice")
    wid = _create(api, headers, hello)["id"]
    doc = copy.deepcopy(hello)
    doc["nodes"][1]["params"]["value"] = 7  # node "a": 2 -> 7
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "say"]
    doc["edges"] = [e for e in doc["edges"] if e["target"] != "say"]
    doc["nodes"].append({"id": "say2", "type": "core:log", "params": {"message": "{value}!"}})
    doc["edges"].append({"source": "total", "source_port": "out", "target": "say2", "target_port": "value"})
    _save(api, headers, wid, doc, 1)
    diff = api.client.get(f"/api/workflows/{wid}/diff?from=1&to=2", headers=headers).json()
    assert [n["id"] for n in diff["nodes_added"]] == ["say2"]
    assert [n["id"] for n in diff["nodes_removed"]] == ["say"]
    assert diff["nodes_changed"] == [{"node_id": "a", "params": {"value": {"old": 2.0, "new": 7.0}}, "fields": {}}]
    assert diff["edges_added"] == [{"source": "total", "source_port": "out", "target": "say2", "target_port": "value"}]
    assert diff["edges_removed"] == [{"source": "total", "source_port": "out", "target": "say", "target_port": "value"}]
    assert api.client.get(f"/api/workflows/{wid}/diff?from=1&to=9", headers=headers).status_code == 404


def test_restore_makes_an_old_revision_the_newest(api, hello) -> None:
    headers = api.add_user("alice")
    wid = _create(api, headers, hello)["id"]
    _save(api, headers, wid, hello | {"name": "Renamed"}, 1)
    restored = api.client.post(f"/api/workflows/{wid}/revisions/1/restore", json={"base_revision": 2}, headers=headers)
    assert restored.status_code == 201
    assert restored.json()["head_revision"] == 3 and restored.json()["name"] == hello["name"]
    revisions = api.client.get(f"/api/workflows/{wid}/revisions", headers=headers).json()
    assert revisions[0]["message"] == "restore revision 1"
    stale = api.client.post(f"/api/workflows/{wid}/revisions/1/restore", json={"base_revision": 2}, headers=headers)
    assert stale.status_code == 409


def test_export_then_import_round_trips(api, hello) -> None:
    headers = api.add_user("alice")
    wid = _create(api, headers, hello)["id"]
    exported = api.client.get(f"/api/workflows/{wid}/export", headers=headers)
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    imported = api.client.post("/api/workflows/import", json=exported.json(), headers=headers)
    assert imported.status_code == 201
    assert imported.json()["document"] == exported.json() and imported.json()["id"] != wid
    assert api.client.post("/api/workflows/import", json={"nodes": 5}, headers=headers).status_code == 422


def test_users_see_and_change_only_their_own_workflows(api, hello) -> None:
    alice = api.add_user("alice")
    bob = api.add_user("bob")
    root = api.add_user("root", Role.ADMIN)
    wid = _create(api, alice, hello)["id"]
    bobs = _create(api, bob, hello | {"name": "Bob's"})["id"]
    assert [w["id"] for w in api.client.get("/api/workflows", headers=bob).json()] == [bobs]
    for method, path, body in [
        ("GET", f"/api/workflows/{wid}", None),
        ("PUT", f"/api/workflows/{wid}", {"document": hello, "base_revision": 1}),
        ("DELETE", f"/api/workflows/{wid}", None),
        ("GET", f"/api/workflows/{wid}/revisions", None),
        ("GET", f"/api/workflows/{wid}/revisions/1", None),
        ("POST", f"/api/workflows/{wid}/revisions/1/restore", {"base_revision": 1}),
        ("GET", f"/api/workflows/{wid}/diff?from=1&to=1", None),
        ("GET", f"/api/workflows/{wid}/export", None),
    ]:
        response = api.client.request(method, path, json=body, headers=bob)
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
    assert api.client.get(f"/api/workflows/{wid}", headers=alice).json()["head_revision"] == 1
    assert {w["owner"] for w in api.client.get("/api/workflows", headers=root).json()} == {"alice", "bob"}
    assert api.client.get(f"/api/workflows/{wid}", headers=root).status_code == 200


def test_client_mistakes_are_problem_details_never_500(api, hello) -> None:
    headers = api.add_user("alice")
    wid = _create(api, headers, hello)["id"]
    for method, path, kwargs in [
        ("POST", "/api/workflows", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("POST", "/api/workflows", {"json": {"document": hello, "unexpected": 1}}),
        ("POST", "/api/workflows", {"json": [1, 2]}),
        ("PUT", f"/api/workflows/{wid}", {"json": {"document": hello, "base_revision": "one"}}),
        ("PUT", f"/api/workflows/{wid}", {"json": {"document": hello, "base_revision": 10**30}}),
        ("GET", f"/api/workflows/{wid}/revisions/99999999999999999999", {}),
        ("GET", f"/api/workflows/{wid}/diff?from=a&to=1", {}),
        ("GET", f"/api/workflows/{'x' * 500}", {}),
    ]:
        extra_headers = {**headers, **kwargs.pop("headers", {})}
        response = api.client.request(method, path, headers=extra_headers, **kwargs)
        assert 400 <= response.status_code < 500, f"{method} {path}: {response.status_code} {response.text}"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == response.status_code
    missing = api.client.put(f"/api/workflows/{wid}", json={"document": hello}, headers=headers).json()
    assert any(e["field"] == "base_revision" for e in missing["errors"])


_params = st.dictionaries(
    st.sampled_from(["value", "message", "window"]), st.one_of(st.integers(-5, 5), st.text(max_size=3)), max_size=3
)
_nodes = st.dictionaries(st.sampled_from(list("abcdef")), _params, max_size=6)


def _doc(nodes: dict[str, dict[str, Any]], edges: set[tuple[str, str]]) -> dict[str, Any]:
    return {
        "name": "w",
        "nodes": [{"id": i, "type": "core:constant", "params": p} for i, p in nodes.items()],
        "edges": [{"source": s, "source_port": "out", "target": t, "target_port": "in"} for s, t in sorted(edges)],
    }


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    _nodes,
    _nodes,
    st.sets(st.tuples(st.sampled_from("abc"), st.sampled_from("def"))),
    st.sets(st.tuples(st.sampled_from("abc"), st.sampled_from("def"))),
)
def test_diff_accounts_for_every_difference(old_nodes, new_nodes, old_edges, new_edges) -> None:
    old, new = _doc(old_nodes, old_edges), _doc(new_nodes, new_edges)
    diff = diff_documents(old, new, 1, 2)
    assert {n["id"] for n in diff.nodes_added} == new_nodes.keys() - old_nodes.keys()
    assert {n["id"] for n in diff.nodes_removed} == old_nodes.keys() - new_nodes.keys()
    changed = {c.node_id: c for c in diff.nodes_changed}
    for node_id in old_nodes.keys() & new_nodes.keys():
        before, after = old_nodes[node_id], new_nodes[node_id]
        if before == after:
            assert node_id not in changed
        else:
            # Applying the reported changes to the old params gives the new ones.
            patched = dict(before)
            for name, change in changed[node_id].params.items():
                if name in after:
                    patched[name] = change.new
                else:
                    patched.pop(name)
            assert patched == after
    assert len(diff.edges_added) == len(new_edges - old_edges)
    assert len(diff.edges_removed) == len(old_edges - new_edges)
    assert diff_documents(new, new, 2, 2).nodes_changed == []
