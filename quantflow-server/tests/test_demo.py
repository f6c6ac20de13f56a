"""`quantflow demo`'s preparation: a demo trader with a generated, persisted password and the
example workflows in its account; starting twice changes nothing; the account really logs in."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from litestar.testing import TestClient

from quantflow_server.app import create_app
from quantflow_server.demo import PASSWORD_FILE, configure_environment, prepare

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "workflows"


def test_demo_account_and_examples_are_prepared_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUANTFLOW_DATABASE_URL", raising=False)
    settings = configure_environment(tmp_path / "demo")
    first = prepare(settings, EXAMPLES)
    assert first.username == "demo" and len(first.password) >= 12
    assert sorted(first.loaded) == sorted(json.loads(p.read_text())["name"] for p in EXAMPLES.glob("*.json"))
    password_file = settings.data_dir / PASSWORD_FILE
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600

    again = prepare(settings, EXAMPLES)
    assert again.password == first.password and again.loaded == []

    with TestClient(create_app(settings)) as client:
        login = client.post("/api/auth/token", data={"username": "demo", "password": first.password})
        assert login.status_code == 200, login.text
        names = {w["name"] for w in client.get("/api/workflows").json()}
    assert names == set(first.loaded)
