"""The credentials vault: encrypted at rest, masked in answers, never logged, rotatable, owner-only."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from cryptography.fernet import Fernet
from quantflow.cli.main import main

from quantflow_server.auth.principal import Role
from quantflow_server.db.models import AuditEntry, Credential
from quantflow_server.settings import Settings
from quantflow_server.vault.keys import KEY_FILE, VaultKeyError, load_keys

API_KEY = "AK-live-7f3c9e2b41d8a6f0c5e1"
SECRET = "SK-live-Zq8WmX2pL9vR4tYb6nJc3hKd"
TOKEN = "TT-eyJhbGciOiJIUzI1NiJ9.trading.tok3n"
NEW_SECRET = "SK-rotated-Hh2Jk8Lm4Nn6Pp0Qq3"
SECRETS = (API_KEY, SECRET, TOKEN, NEW_SECRET)


def _body(**extra):
    return {"name": "main account", "api_key": API_KEY, "secret": SECRET, "token": TOKEN,
            "token_expires_at": (datetime.now(UTC) + timedelta(hours=8)).isoformat(), **extra}  # fmt: skip


def _stored(api) -> list[tuple[str, ...]]:
    async def read():
        async with api.client.app.state.db.session() as session:
            rows = await session.execute(sa.select(Credential.api_key, Credential.secret, Credential.token))
            audit = await session.scalars(sa.select(AuditEntry.payload))
            return [tuple(r) for r in rows.all()], list(audit)

    with api.client.portal() as portal:
        return portal.call(read)  # type: ignore[no-any-return]


def test_secrets_are_masked_encrypted_and_never_logged_or_audited(api, caplog) -> None:
    alice = api.add_user("alice")
    caplog.set_level(logging.DEBUG)  # every logger, every level
    texts = []
    created = api.client.post("/api/credentials", json=_body(), headers=alice)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    texts.append(created.text)
    texts.append(api.client.get("/api/credentials", headers=alice).text)
    updated = api.client.patch(f"/api/credentials/{cid}", json={"secret": NEW_SECRET}, headers=alice)
    assert updated.status_code == 200, updated.text
    texts.append(updated.text)
    used = api.client.post(f"/api/credentials/{cid}/check", headers=alice)
    assert used.json() == {"id": cid, "decrypted": True, "token": "valid"}
    bad = api.client.post("/api/credentials", json=_body(name="", extra_field=SECRET), headers=alice)
    assert bad.status_code == 400
    texts.append(bad.text)
    body = updated.json()
    assert body["api_key"] == "••••" + API_KEY[-4:] and body["secret"] == "••••" + NEW_SECRET[-4:]
    assert body["token"] == "••••" + TOKEN[-4:]
    rows, audit = _stored(api)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    haystacks = [logged, *texts, *audit, *(v or "" for row in rows for v in row)]
    for secret in SECRETS:
        for haystack in haystacks:
            assert secret not in haystack
            assert secret[:-4] not in haystack
    actions = [a for a in audit if "credential" in a]
    assert len(actions) == 3 and '"fields":["secret"]' in actions[1]


def test_only_the_owner_sees_and_changes_a_credential_admins_see_all(api) -> None:
    alice, bob = api.add_user("alice"), api.add_user("bob")
    root, vera = api.add_user("root", Role.ADMIN), api.add_user("vera", Role.VIEWER)
    cid = api.client.post("/api/credentials", json=_body(), headers=alice).json()["id"]
    assert api.client.get("/api/credentials", headers=bob).json() == []
    for method, path in (("get", ""), ("patch", ""), ("delete", ""), ("post", "/check")):
        kwargs = {"json": {"name": "x"}} if method == "patch" else {}
        response = getattr(api.client, method)(f"/api/credentials/{cid}{path}", headers=bob, **kwargs)
        assert response.status_code == 404, (method, path)
    assert api.client.post("/api/credentials", json=_body(), headers=vera).status_code == 403
    assert [c["owner"] for c in api.client.get("/api/credentials", headers=root).json()] == ["alice"]
    assert api.client.post("/api/credentials", json=_body(), headers=alice).status_code == 409  # same name
    assert api.client.delete(f"/api/credentials/{cid}", headers=alice).status_code == 204
    assert api.client.get(f"/api/credentials/{cid}", headers=alice).status_code == 404


def test_token_status_and_client_mistakes(api) -> None:
    alice = api.add_user("alice")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    cid = api.client.post("/api/credentials", json=_body(token_expires_at=past), headers=alice).json()["id"]
    assert api.client.post(f"/api/credentials/{cid}/check", headers=alice).json()["token"] == "expired"
    cleared = api.client.patch(f"/api/credentials/{cid}", json={"token": None}, headers=alice).json()
    assert cleared["token"] is None
    assert api.client.post(f"/api/credentials/{cid}/check", headers=alice).json()["token"] == "none"
    for patch in ({"secret": None}, {"name": None}, {"token_expires_at": "2030-01-01T00:00:00"}):
        response = api.client.patch(f"/api/credentials/{cid}", json=patch, headers=alice)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] in patch
    assert api.client.post("/api/credentials", json=_body(api_key="x" * 5000), headers=alice).status_code == 400


def test_the_generated_key_file_is_private_and_keys_rotate(api, settings, open_api, monkeypatch) -> None:
    alice = api.add_user("alice")
    key_file = settings.data_dir / KEY_FILE
    cid = api.client.post("/api/credentials", json=_body(), headers=alice).json()["id"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    old_key = key_file.read_text().split()[0]
    before = _stored(api)[0][0]
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QUANTFLOW_DATABASE_URL", settings.resolved_database_url)
    result = CliRunner().invoke(main, ["vault", "rotate", "--new-key"])
    assert result.exit_code == 0 and "re-encrypted 1 credential" in result.output, result.output
    keys = key_file.read_text().split()
    assert len(keys) == 2 and keys[1] == old_key and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    after = _stored(api)[0][0]
    assert after != before and Fernet(keys[0].encode()).decrypt(after[1].encode()).decode() == SECRET
    # The running server reloads its keys and still reads the credential.
    assert api.client.post(f"/api/credentials/{cid}/check", headers=alice).json()["decrypted"] is True
    key_file.write_text(keys[0] + "\n")  # the old key dropped: still readable
    assert api.client.get(f"/api/credentials/{cid}", headers=alice).json()["secret"] == "••••" + SECRET[-4:]
    key_file.write_text(Fernet.generate_key().decode() + "\n")  # a wrong key: the operator's problem
    with open_api(settings) as restarted:
        response = restarted.client.get(f"/api/credentials/{cid}", headers=restarted.login("alice"))
    assert response.status_code == 503 and SECRET not in response.text


def test_keys_from_the_environment_newest_first(tmp_path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = Fernet(old.encode()).encrypt(b"value")
    keys = load_keys(Settings(data_dir=tmp_path, vault_keys=f"{new},{old}"))
    assert keys.decrypt(token) == b"value"
    assert Fernet(new.encode()).decrypt(keys.encrypt(b"x")) == b"x"
    assert not (tmp_path / KEY_FILE).exists()
    with pytest.raises(VaultKeyError) as raised:
        load_keys(Settings(data_dir=tmp_path, vault_keys="not-a-key-secretish"))
    assert "not-a-key" not in str(raised.value)
