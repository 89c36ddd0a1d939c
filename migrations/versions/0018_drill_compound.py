"""drill compounds: community.drill and election.drill (issue #14 item 9)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place with its default (SQLite would rewrite the table to drop it, and every
    # compound's rows refer to it); every compound before this one is real.
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drill", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drill", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_column("drill")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("drill")
