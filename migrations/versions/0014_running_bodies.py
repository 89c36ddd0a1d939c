"""running bodies: the preparatory group and the 物管会 with their members (issue #13 item 2)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('running_body',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('appointed_by', sa.Integer(), nullable=True),
    sa.Column('appointed_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('ends_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dissolved_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dissolve_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['appointed_by'], ['account.id'], name=op.f('fk_running_body_appointed_by_account')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_running_body_community_id_community')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_running_body'))
    )
    with op.batch_alter_table('running_body', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_running_body_community_id'), ['community_id'], unique=False)
    op.create_table('running_body_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_running_body_member_account_id_account')),
    sa.ForeignKeyConstraint(['body_id'], ['running_body.id'], name=op.f('fk_running_body_member_body_id_running_body')),
    sa.ForeignKeyConstraint(['grant_id'], ['role_membership.id'], name=op.f('fk_running_body_member_grant_id_role_membership')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_running_body_member_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_running_body_member'))
    )
    with op.batch_alter_table('running_body_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_running_body_member_body_id'), ['body_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('running_body_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_running_body_member_body_id'))
    op.drop_table('running_body_member')
    with op.batch_alter_table('running_body', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_running_body_community_id'))
    op.drop_table('running_body')
