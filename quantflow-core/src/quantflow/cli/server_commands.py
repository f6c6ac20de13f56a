"""`quantflow serve` and the server's admin commands (`users`). The server is a separate
distribution, so it is imported only when one of these commands runs, and its absence is a
message saying what to install rather than a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

import click

ROLES = ("admin", "trader", "viewer")


def _server(module: str) -> ModuleType:
    try:
        return __import__(f"quantflow_server.{module}", fromlist=["_"])
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "quantflow_server":
            raise click.ClickException(
                "the QuantFlow server is not installed; install it with: pip install quantflow-server"
            ) from None
        raise


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default QUANTFLOW_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default QUANTFLOW_PORT or 8000).")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve_command(host: str | None, port: int | None, reload: bool) -> None:
    """Start the QuantFlow server (settings from QUANTFLOW_* variables)."""
    _server("admin").serve(host, port, reload)


@click.group("users")
def users_group() -> None:
    """Manage server users."""


def _read_password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise click.ClickException(f"the environment variable {password_env} is not set or empty")
        return value
    if not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            raise click.ClickException("no password on standard input")
        return value
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _create(username: str, role: str, password_env: str | None) -> None:
    admin = _server("admin")
    from quantflow_server.auth.principal import Role
    from quantflow_server.auth.service import UserError

    password = _read_password(password_env)
    try:
        user_id = admin.create_user_sync(username, password, Role(role))
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"created {role} {username!r} (id {user_id})")


_PASSWORD_HELP = "Read the password from this environment variable (else stdin, else a prompt)."


@users_group.command("create-admin")
@click.argument("username")
@click.option("--password-env", default=None, metavar="VAR", help=_PASSWORD_HELP)
def create_admin(username: str, password_env: str | None) -> None:
    """Create an administrator. There is no default account: run this once after installing."""
    _create(username, "admin", password_env)


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="trader", show_default=True)
@click.option("--password-env", default=None, metavar="VAR", help=_PASSWORD_HELP)
def create(username: str, role: str, password_env: str | None) -> None:
    """Create a user with a role."""
    _create(username, role, password_env)


@click.group("audit")
def audit_group() -> None:
    """The server's hash-chained audit ledger."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check every ledger entry's hash and link; exit 1 naming the first bad entry."""
    verdict = _server("audit.commands").verify_sync()
    if verdict.ok:
        click.echo(f"ok: {verdict.entries} entries, head {verdict.head_seq} {verdict.head_hash}")
        return
    click.echo(f"TAMPERED: first bad entry {verdict.first_bad_seq}: {verdict.reason}", err=True)
    raise SystemExit(1)


@click.group("vault")
def vault_group() -> None:
    """The server's encrypted credentials vault."""


@vault_group.command("rotate")
@click.option("--new-key", is_flag=True, help="First put a freshly generated key first in the key file.")
def vault_rotate(new_key: bool) -> None:
    """Re-encrypt every stored credential with the newest vault key."""
    commands = _server("vault.commands")
    from quantflow_server.vault.keys import VaultKeyError

    try:
        count = commands.rotate_sync(new_key)
    except VaultKeyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"re-encrypted {count} credential(s) with the newest key; older keys can now be removed")


@click.command("demo")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False), default=Path(".quantflow-demo"),
              show_default=True, help="The demo's own database, keys and password file.")
@click.option("--examples", type=click.Path(path_type=Path, file_okay=False), default=Path("examples/workflows"),
              show_default=True, help="Workflows to load into the demo account.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
def demo_command(data_dir: Path, examples: Path, host: str, port: int) -> None:
    """Start the server with the canvas, a demo account and the example workflows."""
    demo = _server("demo")
    settings = demo.configure_environment(data_dir)
    account = demo.prepare(settings, examples)
    url = f"http://{host}:{port}/"
    click.echo(
        "\n".join([
            "",
            "QuantFlow demo",
            f"  open      {url}",
            f"  log in    {account.username} / {account.password}",
            f"  workflows {len(account.loaded)} example(s) loaded" + (f": {', '.join(account.loaded)}" if account.loaded else " (already there)"),
            "  market    SYNTHETIC: a seeded random walk, not real prices (set QUANTFLOW_MARKET_DATA_DIR for real data)",
            "  broker    the paper broker (no real orders)",
            "",
            "Open a workflow, press Run, choose backtest or paper, and watch its orders. Ctrl-C stops.",
            "",
        ])
    )
    _server("admin").serve(host, port, False)


COMMANDS = [serve_command, users_group, audit_group, vault_group, demo_command]
