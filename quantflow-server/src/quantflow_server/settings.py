"""Server settings, read from `QUANTFLOW_*` environment variables.

Everything has a safe default so `quantflow serve` works with nothing configured: the database is a
SQLite file in the data directory, and the JWT signing key is generated once into a 0600 file there
(never a built-in constant, which would let anyone forge tokens).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "quantflow"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QUANTFLOW_", frozen=True, extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None  # e.g. postgresql+psycopg://user@host/db; default: SQLite in data_dir
    jwt_secret: str | None = None  # default: generated into data_dir/jwt_secret
    access_token_minutes: int = Field(30, ge=1)
    refresh_token_days: int = Field(14, ge=1)
    # How long a request may trust this process's cached copy of a user's token version, role and
    # active flag. Logout and password changes made through this process apply at once; a change made
    # by another process (another server on the same PostgreSQL, a CLI) is seen within this bound.
    # 0: read the user from the database on every request.
    auth_cache_seconds: float = Field(5.0, ge=0, le=60)
    cookie_secure: bool = False  # set true behind HTTPS
    login_max_failures: int = Field(5, ge=1)  # consecutive failures before the account locks
    login_lockout_seconds: int = Field(900, ge=1)
    login_rate_per_minute: int = Field(20, ge=1)  # attempts per client address per minute
    vault_keys: SecretStr | None = None  # comma-separated Fernet keys, newest first; default: a key file
    # Market data for backtests (a quantflow DirectorySource). Not QUANTFLOW_DATA_DIR: that one is the
    # server's own state (database, keys). None: the seeded synthetic market, labelled as such.
    market_data_dir: Path | None = None
    # Backtest and paper runs computing at once, each in its own worker process; the rest wait `queued`.
    run_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=256)
    # Added to the workers' niceness: a computing run yields the CPU to the server's requests and streams.
    run_worker_nice: int = Field(10, ge=0, le=19)
    web_dir: Path | None = None  # the built web app (quantflow-web/dist)
    swagger_dir: Path | None = None  # Swagger UI's files (quantflow-server/swagger/dist)
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'quantflow.sqlite').resolve()}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.data_dir

    def resolved_jwt_secret(self) -> str:
        """The configured secret, else the key file in the data dir, created 0600 on first use."""
        if self.jwt_secret:
            if len(self.jwt_secret) < 32:
                raise ValueError("QUANTFLOW_JWT_SECRET must be at least 32 characters")
            return self.jwt_secret
        path = self.ensure_data_dir() / "jwt_secret"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
        return path.read_text(encoding="ascii").strip()
