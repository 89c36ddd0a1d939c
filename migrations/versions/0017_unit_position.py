"""units in natural order: unit.position, the rank by building, entrance and room (issue #14 item 1)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from voting import flats


revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Added in place with its default (SQLite would rewrite the table to drop it, and every
    # ownership refers to a unit).
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ix_unit_community_id_position', ['community_id', 'position'])
    # Rank the units already imported, as the next roll import would.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT u.id, u.community_id, b.name, u.number FROM unit u"
        " JOIN building b ON b.id = u.building_id"
    )).all()
    by_community: dict[int, list[tuple[int, str, str]]] = {}
    for uid, cid, building, number in rows:
        by_community.setdefault(cid, []).append((uid, building, number))
    for units in by_community.values():
        units.sort(key=lambda u: (flats.sort_key(flats.parse(u[1], u[2])), u[0]))
        for rank, (uid, _, _) in enumerate(units, start=1):
            bind.execute(
                sa.text("UPDATE unit SET position = :p WHERE id = :id"), {"p": rank, "id": uid}
            )


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_community_id_position')
        batch_op.drop_column('position')
