"""`quantflow users create-admin` and `quantflow serve` from the core CLI."""

from __future__ import annotations

import sys

from click.testing import CliRunner
from quantflow.cli.main import main


def test_create_admin_reads_the_password_from_stdin_then_logs_in(settings, open_api, monkeypatch) -> None:
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QUANTFLOW_DATABASE_URL", settings.resolved_database_url)
    runner = CliRunner()
    result = runner.invoke(main, ["users", "create-admin", "root"], input="a long admin password\n")
    assert result.exit_code == 0, result.output
    assert "created admin 'root'" in result.output
    again = runner.invoke(main, ["users", "create-admin", "root"], input="a long admin password\n")
    assert again.exit_code == 1 and "already exists" in again.output
    with open_api(settings) as api:
        headers = api.login("root", "a long admin password")
        assert api.client.get("/api/me", headers=headers).json()["role"] == "admin"


def test_create_user_from_an_env_variable_and_refuse_weak_passwords(settings, monkeypatch) -> None:
    monkeypatch.setenv("QUANTFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("QUANTFLOW_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("NEW_PASSWORD", "short")
    runner = CliRunner()
    weak = runner.invoke(main, ["users", "create", "tom", "--password-env", "NEW_PASSWORD"])
    assert weak.exit_code == 1 and "at least 12" in weak.output
    unset = runner.invoke(main, ["users", "create", "tom", "--password-env", "NOT_SET_ANYWHERE"])
    assert unset.exit_code == 1 and "NOT_SET_ANYWHERE" in unset.output
    monkeypatch.setenv("NEW_PASSWORD", "a long trader password")
    ok = runner.invoke(main, ["users", "create", "tom", "--role", "viewer", "--password-env", "NEW_PASSWORD"])
    assert ok.exit_code == 0 and "created viewer 'tom'" in ok.output


def test_serve_without_the_server_package_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "quantflow_server.admin", None)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert "pip install quantflow-server" in result.output
