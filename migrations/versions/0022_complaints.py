"""吹哨报到: departments, complaints, assignments, events, photos; the district's categories; role_membership.department_id (issue #16 part 1)

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-05 05:59:55.309167
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0022'
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['account.id'], name=op.f('fk_department_created_by_account')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_department_district_id_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('district_id', 'name', name=op.f('uq_department_district_id_name'))
    )
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_district_id'), ['district_id'], unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reporter_name', sa.String(length=100), nullable=False),
    sa.Column('reporter_phone', sa.String(length=20), nullable=True),
    sa.Column('reporter_public', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('hotline_ref', sa.String(length=40), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reported_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('whistled_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dispatch_due', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('merged_into', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_complaint_community_id_community')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_complaint_district_id_district')),
    sa.ForeignKeyConstraint(['merged_into'], ['complaint.id'], name=op.f('fk_complaint_merged_into_complaint')),
    sa.ForeignKeyConstraint(['reporter_id'], ['account.id'], name=op.f('fk_complaint_reporter_id_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_complaint_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('district_id', 'hotline_ref', name=op.f('uq_complaint_district_id_hotline_ref'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_community_id'), ['community_id'], unique=False)
        batch_op.create_index('ix_complaint_community_state', ['community_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_reporter_id'), ['reporter_id'], unique=False)

    op.create_table('complaint_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('dispatched_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_by', sa.Integer(), nullable=True),
    sa.Column('accept_due', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolve_due', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_assignment_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_complaint_assignment_department_id_department')),
    sa.ForeignKeyConstraint(['dispatched_by'], ['account.id'], name=op.f('fk_complaint_assignment_dispatched_by_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_assignment'))
    )
    with op.batch_alter_table('complaint_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_assignment_complaint_id'), ['complaint_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_assignment_department_id'), ['department_id'], unique=False)

    op.create_table('complaint_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['account.id'], name=op.f('fk_complaint_event_actor_id_account')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_event_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_complaint_event_department_id_department')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_event'))
    )
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_event_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('media_type', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_photo_complaint_id_complaint')),
    sa.ForeignKeyConstraint(['event_id'], ['complaint_event.id'], name=op.f('fk_complaint_photo_event_id_complaint_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_photo'))
    )
    with op.batch_alter_table('complaint_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_photo_complaint_id'), ['complaint_id'], unique=False)

    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.add_column(sa.Column('complaint_categories', sa.Text(), nullable=True))

    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_role_membership_department_id'), ['department_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_role_membership_department_id_department'), 'department', ['department_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_membership_department_id_department'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_role_membership_department_id'))
        batch_op.drop_column('department_id')

    with op.batch_alter_table('district', schema=None) as batch_op:
        batch_op.drop_column('complaint_categories')

    with op.batch_alter_table('complaint_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_photo_complaint_id'))

    op.drop_table('complaint_photo')
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_event_complaint_id'))

    op.drop_table('complaint_event')
    with op.batch_alter_table('complaint_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_assignment_department_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_assignment_complaint_id'))

    op.drop_table('complaint_assignment')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_district_id'))
        batch_op.drop_index('ix_complaint_community_state')
        batch_op.drop_index(batch_op.f('ix_complaint_community_id'))

    op.drop_table('complaint')
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_district_id'))

    op.drop_table('department')
