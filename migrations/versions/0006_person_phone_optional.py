"""person phone optional: co-owners and developer contacts listed without one (issue #12)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 22:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), nullable=True)


def downgrade() -> None:
    # People listed without a phone would need one: refuse rather than delete roll entries.
    missing = op.get_bind().execute(sa.text("SELECT count(*) FROM person WHERE phone IS NULL"))
    if missing.scalar_one():
        raise RuntimeError(
            "person rows without a phone exist; add their phones (re-import the roll) first"
        )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), nullable=False)
