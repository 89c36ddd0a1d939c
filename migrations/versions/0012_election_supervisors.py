"""supervisors per election: proposals, confirmations, grants for one election (issue #13 item 6)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # existing supervisor grants keep counting across their compound (no election named)
    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('election_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_role_membership_election_id'), ['election_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_role_membership_election_id_election'), 'election', ['election_id'], ['id'])
    op.create_table('election_supervisor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('proposed_by', sa.Integer(), nullable=False),
    sa.Column('proposed_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_election_supervisor_account_id_account')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_election_supervisor_community_id_community')),
    sa.ForeignKeyConstraint(['confirmed_by'], ['account.id'], name=op.f('fk_election_supervisor_confirmed_by_account')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_election_supervisor_election_id_election')),
    sa.ForeignKeyConstraint(['grant_id'], ['role_membership.id'], name=op.f('fk_election_supervisor_grant_id_role_membership')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_election_supervisor_person_id_person')),
    sa.ForeignKeyConstraint(['proposed_by'], ['account.id'], name=op.f('fk_election_supervisor_proposed_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_supervisor')),
    sa.UniqueConstraint('election_id', 'person_id', name=op.f('uq_election_supervisor_election_id_person_id'))
    )
    with op.batch_alter_table('election_supervisor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_election_supervisor_election_id'), ['election_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('election_supervisor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_election_supervisor_election_id'))
    op.drop_table('election_supervisor')
    # Without the column a grant for one election would count across the compound: drop them.
    op.execute(sa.text("DELETE FROM role_membership WHERE election_id IS NOT NULL"))
    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_membership_election_id_election'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_role_membership_election_id'))
        batch_op.drop_column('election_id')
