"""The ORM models. The schema itself is owned by the Alembic migrations in `migrations/`; a test
checks that these models and the migrated database agree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from quantflow_server.db.types import JSONType, UTCDateTime, utcnow


class Base(DeclarativeBase):
    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout and password change: every token carrying an older version stops working.
    token_version: Mapped[int] = mapped_column(default=0)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Workflow(Base):
    __tablename__ = "workflows"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    head_revision: Mapped[int] = mapped_column()
    draft: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class WorkflowRevision(Base):
    __tablename__ = "workflow_revisions"
    __table_args__ = (sa.UniqueConstraint("workflow_id", "number", name="uq_workflow_revisions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[str] = mapped_column(sa.ForeignKey("workflows.id"))
    number: Mapped[int] = mapped_column()
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    draft: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(sa.ForeignKey("workflows.id"), index=True)
    revision: Mapped[int] = mapped_column()
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    mode: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    error: Mapped[str | None] = mapped_column(sa.Text(), default=None)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONType, default=None)


class RunEvent(Base):
    __tablename__ = "run_events"
    __table_args__ = (sa.UniqueConstraint("run_id", "seq", name="uq_run_events_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(sa.ForeignKey("runs.id"))
    seq: Mapped[int] = mapped_column()
    event: Mapped[str] = mapped_column(sa.String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class AuditEntry(Base):
    """One ledger entry. Append-only: database triggers refuse UPDATE and DELETE (migration 0002)."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[str] = mapped_column(sa.String(32))  # chain.timestamp(): hashed as text, so stored as text
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    actor: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    payload: Mapped[str] = mapped_column(sa.Text())  # canonical JSON, exactly the hashed bytes


class AuditHead(Base):
    """The single row (id 1) naming the newest entry. Appenders lock it, which serialises them, and
    it lets verification notice entries deleted from the end of the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column()
    hash: Mapped[str] = mapped_column(sa.String(64))


class Credential(Base):
    """Broker credentials. api_key, secret and token hold Fernet tokens, never plain text."""

    __tablename__ = "credentials"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", name="uq_credentials_owner_id"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    broker: Mapped[str] = mapped_column(sa.String(32))
    api_key: Mapped[str] = mapped_column(sa.Text())
    secret: Mapped[str] = mapped_column(sa.Text())
    token: Mapped[str | None] = mapped_column(sa.Text(), default=None)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RunResult(Base):
    """A backtest's or paper run's full result, as BacktestResult JSON."""

    __tablename__ = "run_results"

    run_id: Mapped[str] = mapped_column(sa.ForeignKey("runs.id"), primary_key=True)
    synthetic: Mapped[bool] = mapped_column()
    result: Mapped[str] = mapped_column(sa.Text())


class Activation(Base):
    """A workflow the scheduler fires: its schedule and bar-close triggers, at the pinned revision
    (saving a new revision does not change what runs until it is activated)."""

    __tablename__ = "activations"

    workflow_id: Mapped[str] = mapped_column(sa.ForeignKey("workflows.id"), primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    revision: Mapped[int] = mapped_column()
    enabled: Mapped[bool] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
