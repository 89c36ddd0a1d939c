"""district dashboard: the five full coverages recorded per compound (issue #16 part 2)

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-05 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compound_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("party_org", sa.Boolean(), nullable=False),
        sa.Column("party_members", sa.Boolean(), nullable=False),
        sa.Column("property_service", sa.Boolean(), nullable=False),
        sa.Column("party_venue", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_by_name", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", api.store.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
            name=op.f("fk_compound_coverage_community_id_community"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["account.id"], name=op.f("fk_compound_coverage_recorded_by_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compound_coverage")),
        sa.UniqueConstraint("community_id", name=op.f("uq_compound_coverage_community_id")),
    )


def downgrade() -> None:
    op.drop_table("compound_coverage")
