"""district dashboard: an index for the complaints family (issue #16 part 2)

The dashboard's complaints family reads only the open complaints and those resolved this month;
``(state, resolved_at)`` finds both without scanning every complaint of the district.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 07:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_complaint_state_resolved", "complaint", ["state", "resolved_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_complaint_state_resolved", table_name="complaint")
