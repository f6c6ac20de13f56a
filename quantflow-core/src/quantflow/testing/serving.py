"""A real server in a child process on a free loopback port, for end-to-end tests and benchmarks:
started, awaited on `/api/health`, stopped (terminate, then kill) however the block ends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

CLI = [sys.executable, "-c", "from quantflow.cli.main import main; main()"]  # `quantflow`, this interpreter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This process's environment for a server of its own: data (and its SQLite database) under
    `data_dir`, not a `QUANTFLOW_DATABASE_URL` the caller may have set, plus `settings`."""
    env = {**os.environ, "QUANTFLOW_DATA_DIR": str(data_dir), **settings}
    env.pop("QUANTFLOW_DATABASE_URL", None)
    return env


def create_user(env: Mapping[str, str], username: str, password: str) -> None:
    """`quantflow users create` as an operator runs it, the password handed over by environment."""
    subprocess.run([*CLI, "users", "create", username, "--password-env", "QF_NEW_USER_PASSWORD"],
                   env={**env, "QF_NEW_USER_PASSWORD": password}, check=True)


def serve_command(port: int) -> list[str]:
    """`quantflow serve` on 127.0.0.1:`port`, as operators start it."""
    return [*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def serving(
    command: list[str], port: int, env: Mapping[str, str], log: Path, timeout: float = 60
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `command` (listening on `port`) with its output in `log`; yields (base url, process) once
    `/api/health` answers 200. A server that exits or stays silent fails with its log."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            code = process.poll()
            if code is not None or time.monotonic() > deadline:
                why = f"it exited with code {code}" if code is not None else f"/api/health gave no 200 within {timeout} s"
                raise RuntimeError(f"the server did not start: {why}; its log:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
