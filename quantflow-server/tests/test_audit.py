"""The audit ledger: what is recorded, the chain, concurrent appends, and tampering detected."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from quantflow.cli.main import main

from quantflow_server.audit import ledger
from quantflow_server.audit.chain import GENESIS, AuditEvent, ChainChecker, canonical, chain, entry_hash
from quantflow_server.auth.principal import Role

from .conftest import Backend


def _raw(backend: Backend, settings, *statements: str) -> None:
    """Tamper like someone with database access: triggers off, straight SQL."""
    if backend.pg_dbname is None:
        conn = sqlite3.connect(settings.resolved_database_url.split("///", 1)[1])
        try:
            conn.execute("DROP TRIGGER IF EXISTS audit_entries_no_update")
            conn.execute("DROP TRIGGER IF EXISTS audit_entries_no_delete")
            for statement in statements:
                conn.execute(statement)
            conn.commit()
        finally:
            conn.close()
        return
    with psycopg.connect(f"host=127.0.0.1 port=5432 user=postgres dbname={backend.pg_dbname}") as conn:
        conn.execute("SET session_replication_role = replica")  # this session only: triggers off
        for statement in statements:
            conn.execute(statement)


def _entries(api, headers) -> list[dict[str, Any]]:
    return api.client.get("/api/audit/entries?limit=1000", headers=headers).json()  # type: ignore[no-any-return]


def _verify(api, headers) -> dict[str, Any]:
    response = api.client.get("/api/audit/verify", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _append(api, events: list[AuditEvent]) -> None:
    async def go() -> None:
        async with api.client.app.state.db.session() as session:
            await ledger.append(session, events)

    with api.client.portal() as portal:
        portal.call(go)


def test_logins_workflows_and_runs_are_recorded_in_a_valid_chain(api, hello) -> None:
    root = api.add_user("root", Role.ADMIN)
    alice = api.add_user("alice")
    assert api.client.post("/api/auth/token", data={"username": "alice", "password": "wrong!"}).status_code == 401
    wid = api.client.post("/api/workflows", json={"document": hello}, headers=alice).json()["id"]
    api.client.put(f"/api/workflows/{wid}", json={"document": hello, "base_revision": 1}, headers=alice)
    api.client.post(f"/api/workflows/{wid}/revisions/1/restore", json={"base_revision": 2}, headers=alice)
    run = api.client.post(f"/api/workflows/{wid}/runs", json={}, headers=alice).json()
    api.wait_run(run["id"], alice)
    assert api.client.delete(f"/api/workflows/{wid}", headers=alice).status_code == 204
    entries = _entries(api, root)
    actions = [e["action"] for e in entries]
    for action in ("login", "login_failed", "workflow_saved", "workflow_restored", "run_started", "run_finished",
                   "workflow_deleted"):  # fmt: skip
        assert action in actions, action
    failed = next(e for e in entries if e["action"] == "login_failed")
    assert json.loads(failed["payload"])["username"] == "alice" and "wrong!" not in failed["payload"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))
    verdict = _verify(api, root)
    assert verdict["ok"] and verdict["entries"] == len(entries) and verdict["head_hash"] == entries[-1]["hash"]


def test_only_admins_read_or_verify_the_ledger(api) -> None:
    alice = api.add_user("alice")
    assert api.client.get("/api/audit/verify", headers=alice).status_code == 403
    assert api.client.get("/api/audit/entries", headers=alice).status_code == 403


def test_the_database_refuses_updates_and_deletes_of_entries(api) -> None:
    api.add_user("root", Role.ADMIN)

    async def edit(statement: str) -> None:
        async with api.client.app.state.db.session() as session:
            await session.execute(__import__("sqlalchemy").text(statement))

    with api.client.portal() as portal:
        for statement in ("UPDATE audit_entries SET actor = 'mallory'", "DELETE FROM audit_entries"):
            with pytest.raises(Exception, match="append-only"):
                portal.call(edit, statement)


def test_concurrent_appends_stay_one_gap_free_chain(api) -> None:
    root = api.add_user("root", Role.ADMIN)
    db = api.client.app.state.db

    async def writer(n: int) -> None:
        for i in range(10):
            async with db.session() as session:
                await ledger.append(session, [AuditEvent("test", f"w{n}", {"i": i, "k": k}) for k in range(3)])

    async def all_writers() -> None:
        await asyncio.gather(*(writer(n) for n in range(8)))

    with api.client.portal() as portal:
        portal.call(all_writers)
    entries = _entries(api, root)
    assert len([e for e in entries if e["action"] == "test"]) == 8 * 10 * 3
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    assert _verify(api, root)["ok"]


def test_a_batch_append_is_consecutive_and_rolls_back_whole(api) -> None:
    root = api.add_user("root", Role.ADMIN)
    before = len(_entries(api, root))
    _append(api, [AuditEvent("order_placed", "alice", {"n": i}) for i in range(50)])

    async def failing() -> None:
        async with api.client.app.state.db.session() as session:
            await ledger.append(session, [AuditEvent("order_placed", "alice", {"n": -1})])
            raise RuntimeError("the caller's transaction fails")

    with api.client.portal() as portal, pytest.raises(RuntimeError):
        portal.call(failing)
    entries = _entries(api, root)
    batch = [e for e in entries if e["action"] == "order_placed"]
    assert [json.loads(e["payload"])["n"] for e in batch] == list(range(50))
    assert len(entries) == before + 50  # reads are not audited; the failed batch rolled back
    assert _verify(api, root)["ok"]


@pytest.mark.parametrize(
    ("tamper", "bad_seq"),
    [
        ('UPDATE audit_entries SET payload = \'{"username":"mallory"}\' WHERE seq = 3', 3),
        ("DELETE FROM audit_entries WHERE seq = 4", 4),
        ("DELETE FROM audit_entries WHERE seq = (SELECT MAX(seq) FROM audit_entries)", 11),
        ("INSERT INTO audit_entries VALUES (12, 'x', 'y', '2024-01-01T00:00:00.000000Z', 'login', 'eve', '{}')", 12),
        ("UPDATE audit_head SET seq = 5", 6),
    ],
    ids=["edit", "delete", "delete-last", "insert", "head"],
)
def test_tampering_names_the_first_bad_entry(api, backend, settings, monkeypatch, tamper, bad_seq) -> None:
    root = api.add_user("root", Role.ADMIN)  # entry 1: root's login
    _append(api, [AuditEvent("login", "alice", {"username": "alice", "i": i}) for i in range(10)])  # 2..11
    assert _verify(api, root)["ok"]
    _raw(backend, settings, tamper)
    verdict = _verify(api, root)
    assert not verdict["ok"] and verdict["first_bad_seq"] == bad_seq, verdict
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QUANTFLOW_DATABASE_URL", settings.resolved_database_url)
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 1 and f"first bad entry {bad_seq}" in result.output


def test_a_forged_entry_with_a_correct_hash_is_caught_by_the_head(api, backend, settings) -> None:
    root = api.add_user("root", Role.ADMIN)
    _append(api, [AuditEvent("login", "alice", {"i": i}) for i in range(3)])
    last = _entries(api, root)[-1]
    forged = chain([AuditEvent("login", "eve", {})], last["seq"], last["hash"])[0]
    values = ", ".join(repr(v) if v is not None else "NULL" for v in forged.as_row().values())
    _raw(backend, settings, f"INSERT INTO audit_entries (seq, prev_hash, hash, at, action, actor, payload) "
                            f"VALUES ({values})")  # fmt: skip
    verdict = _verify(api, root)
    assert not verdict["ok"] and verdict["first_bad_seq"] == forged.seq


def test_cli_verify_passes_on_an_intact_ledger(api, settings, monkeypatch) -> None:
    _append(api, [AuditEvent("login", "alice", {})])
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QUANTFLOW_DATABASE_URL", settings.resolved_database_url)
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 0 and result.output.startswith("ok: 1 entries")


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical({"b": 1, "a": [1.5, "đồng"], "c": None}) == '{"a":[1.5,"đồng"],"b":1,"c":null}'
    assert canonical({"x": float("nan"), "y": 10**20}) == '{"x":null,"y":100000000000000000000}'


payloads = st.dictionaries(
    st.text(max_size=8),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=10,
    ),
    max_size=5,
)


@hsettings(max_examples=50, deadline=None)
@given(st.lists(payloads, min_size=1, max_size=6), st.data())
def test_any_changed_byte_breaks_the_chain_at_that_entry(batch, data) -> None:
    actors = st.sampled_from(["u", None, 'đồng "q"'])
    entries = chain(
        [AuditEvent(data.draw(st.sampled_from(["a", "b"])), data.draw(actors), p) for p in batch], 0, GENESIS
    )
    for e in entries:  # the hand-joined hot loop and the plain encoding agree
        assert e.hash == entry_hash(e.seq, e.prev, e.at, e.action, e.actor, e.payload)
        assert json.loads(e.payload) == json.loads(canonical(json.loads(e.payload)))
    victim = data.draw(st.integers(0, len(entries) - 1))
    changed = entries[victim].payload + " "
    checker = ChainChecker()
    for i, e in enumerate(entries):
        checker.feed(e.seq, e.prev, e.hash, e.at, e.action, e.actor, changed if i == victim else e.payload)
    verdict = checker.verdict(entries[-1].seq, entries[-1].hash)
    assert not verdict.ok and verdict.first_bad_seq == victim + 1
