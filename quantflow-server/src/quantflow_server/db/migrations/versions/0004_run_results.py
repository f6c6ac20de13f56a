"""Backtest and paper results, one per run (the BacktestResult JSON).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_results",
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name="pk_run_results"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_run_results_run_id_runs"),
    )


def downgrade() -> None:
    op.drop_table("run_results")
