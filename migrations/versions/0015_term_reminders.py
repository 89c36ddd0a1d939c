"""term-end reminders sent through the notification adapter, once per threshold (issue #13)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('term_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('sent_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_term_reminder_community_id_community')),
    sa.ForeignKeyConstraint(['term_id'], ['committee_term.id'], name=op.f('fk_term_reminder_term_id_committee_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_term_reminder')),
    sa.UniqueConstraint('term_id', 'days', name=op.f('uq_term_reminder_term_id_days'))
    )
    with op.batch_alter_table('term_reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_term_reminder_term_id'), ['term_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('term_reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_term_reminder_term_id'))

    op.drop_table('term_reminder')
