"""Activating a workflow from the canvas: the scheduler takes the saved revision and the toolbar says
when it fires next; deactivating takes it back; a workflow nothing could wake is refused, with why."""

from __future__ import annotations

from playwright.sync_api import expect

SCHEDULED = {
    "id": "sched",
    "name": "Scheduled e2e",
    "nodes": [
        {"id": "every", "type": "core:schedule", "params": {"cron": "0 15 * * 1-5", "trading_days_only": True}},
        {"id": "say", "type": "core:log", "params": {"message": "woke {value}"}},
    ],
    "edges": [{"source": "every", "source_port": "out", "target": "say", "target_port": "value"}],
}
MANUAL = {
    "id": "manual",
    "name": "Manual e2e",
    "nodes": [{"id": "start", "type": "core:manual_trigger"}, {"id": "say", "type": "core:log", "params": {}}],
    "edges": [{"source": "start", "source_port": "out", "target": "say", "target_port": "value"}],
}


def _create(session, document) -> str:
    with session.server.client() as client:
        response = client.post("/api/workflows", json={"document": document})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def _open_toggle(session, document):
    """Save `document`, log in and open it in the editor: its id and the toolbar's activation toggle."""
    wid = _create(session, document)
    session.login()
    session.page.goto(f"{session.server.url}/workflows/{wid}")
    return wid, session.page.get_by_test_id("activation")


def test_activate_and_deactivate_from_the_toolbar(session) -> None:
    s = session
    wid, toggle = _open_toggle(s, SCHEDULED)
    toggle.get_by_role("button", name="Activate").click()
    badge = toggle.locator(".badge.ok")
    expect(badge).to_contain_text("active · rev 1 · next")
    expect(badge).to_contain_text("15:00")
    s.shot("activated")
    with s.server.client() as client:
        shown = client.get(f"/api/workflows/{wid}/activation").json()
    assert shown["enabled"] and shown["revision"] == 1 and shown["triggers"][0]["next_wake_at"]
    toggle.get_by_role("button", name="Deactivate").click()
    expect(toggle.get_by_role("button", name="Activate")).to_be_visible()
    with s.server.client() as client:
        assert client.get(f"/api/workflows/{wid}/activation").json()["enabled"] is False
    s.shot("deactivated")


def test_a_workflow_nothing_could_wake_is_refused_with_the_reason(session) -> None:
    s = session
    _, toggle = _open_toggle(s, MANUAL)
    toggle.get_by_role("button", name="Activate").click()
    expect(toggle.get_by_role("alert")).to_contain_text("no schedule or on-bar-close trigger")
    s.errors.clear()  # the refused request (422) is logged by the browser; that is the expected answer
    s.shot("refused")
