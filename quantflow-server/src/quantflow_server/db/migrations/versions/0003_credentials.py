"""Broker credentials, every secret field Fernet-encrypted.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from quantflow_server.db.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credentials",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("broker", sa.String(32), nullable=False),
        sa.Column("api_key", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("token_expires_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credentials"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_credentials_owner_id_users"),
        sa.UniqueConstraint("owner_id", "name", name="uq_credentials_owner_id"),
    )
    op.create_index("ix_credentials_owner_id", "credentials", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_credentials_owner_id", "credentials")
    op.drop_table("credentials")
