"""The first schema: networks, scenarios, sweeps, plans and their tables and KPIs.

Revision ID: 0001
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "network_tables",
        sa.Column(
            "network_hash",
            sa.String(64),
            sa.ForeignKey("networks.hash", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("csv", sa.Text(), nullable=False),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("base_hash", sa.String(64), sa.ForeignKey("networks.hash"), nullable=False),
        sa.Column("network_hash", sa.String(64), sa.ForeignKey("networks.hash"), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "sweeps",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("network_hash", sa.String(64), sa.ForeignKey("networks.hash"), nullable=False),
        sa.Column("scenario_name", sa.String(200), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("network_hash", sa.String(64), sa.ForeignKey("networks.hash"), nullable=False),
        sa.Column(
            "scenario_id",
            sa.Integer(),
            sa.ForeignKey("scenarios.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("scenario_name", sa.String(200), nullable=True),
        sa.Column(
            "sweep_id", sa.String(64), sa.ForeignKey("sweeps.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("sample_index", sa.Integer(), nullable=True),
        sa.Column("variant", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("termination", sa.String(64), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("solver", sa.String(64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("timings", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("sweep_id", "seed", "sample_index", "variant", name="uq_plans_sample"),
    )
    op.create_index("ix_plans_network_hash", "plans", ["network_hash"])
    op.create_index("ix_plans_scenario_id", "plans", ["scenario_id"])
    op.create_index("ix_plans_sweep_id", "plans", ["sweep_id"])
    op.create_table(
        "plan_tables",
        sa.Column(
            "plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "plan_kpis",
        sa.Column(
            "plan_id", sa.Integer(), sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("kpi", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(200), primary_key=True),
        sa.Column("period", sa.String(64), primary_key=True),
        sa.Column("value", sa.Float(), nullable=True),
    )
    op.create_index("ix_plan_kpis_kpi", "plan_kpis", ["kpi", "scope", "period"])


def downgrade() -> None:
    op.drop_table("plan_kpis")
    op.drop_table("plan_tables")
    op.drop_index("ix_plans_sweep_id", "plans")
    op.drop_index("ix_plans_scenario_id", "plans")
    op.drop_index("ix_plans_network_hash", "plans")
    op.drop_table("plans")
    op.drop_table("sweeps")
    op.drop_table("scenarios")
    op.drop_table("network_tables")
    op.drop_table("networks")
