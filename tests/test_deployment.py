"""The operator's files: docker-compose.yml is valid with the documented variables, refuses to run
without them, and the database admits only the application network with scram-sha-256."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed; ./dev test installs it (apt package docker-compose)")
    return subprocess.run([binary, *args], cwd=ROOT, capture_output=True, text=True, env=env or {"PATH": "/usr/bin:/bin"}, check=False)


def test_compose_config_passes_with_the_documented_variables() -> None:
    result = compose("--env-file", str(ENV_EXAMPLE), "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_secrets() -> None:
    result = compose("config", "-q")
    assert result.returncode != 0
    assert "set POSTGRES_USER in .env" in result.stderr


def test_every_variable_is_documented_and_no_password_has_a_default() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    documented = set(re.findall(r"^([A-Z_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE))
    assert used <= documented, f"undocumented: {sorted(used - documented)}"
    for secret in ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "QDRANT_API_KEY", "QUANTFLOW_JWT_SECRET", "QUANTFLOW_VAULT_KEYS"):
        assert re.search(rf"\$\{{{secret}:\?", text), f"{secret} must be required, never defaulted"
        assert not re.search(rf"\$\{{{secret}:-", text)


def test_services_have_healthchecks_and_named_volumes() -> None:
    result = compose("--env-file", str(ENV_EXAMPLE), "config")
    config = result.stdout
    for service in ("server", "timescaledb", "redis", "qdrant"):
        assert re.search(rf"^  {service}:\n(?:    .*\n|      .*\n)*?    healthcheck:", config, re.MULTILINE), service
    assert all(f"  {v}:" in config for v in ("quantflow-data", "timescale-data", "redis-data", "qdrant-data"))


def test_pg_hba_admits_only_the_app_network_with_scram() -> None:
    rules = [line.split() for line in (ROOT / "deploy" / "pg_hba.conf").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    host_rules = [r for r in rules if r[0].startswith("host")]
    assert host_rules and all(r[-1] == "scram-sha-256" for r in host_rules)
    assert {r[3] for r in host_rules} <= {"127.0.0.1/32", "172.28.0.0/16"}
    assert "172.28.0.0/16" in COMPOSE.read_text()
