"""Activations: which workflow revision the scheduler fires, and when it last did.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from quantflow_server.db.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activations",
        sa.Column("workflow_id", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_fired_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("workflow_id", name="pk_activations"),
        sa.ForeignKeyConstraint(["workflow_id"], ["workflows.id"], name="fk_activations_workflow_id_workflows"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name="fk_activations_owner_id_users"),
    )
    op.create_index("ix_activations_owner_id", "activations", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_activations_owner_id", table_name="activations")
    op.drop_table("activations")
