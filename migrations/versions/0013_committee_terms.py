"""committees in office: terms and seats, alternates stepping up (issue #13 item 5)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('committee_term',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('committee', sa.String(length=30), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('starts_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_committee_term_community_id_community')),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_committee_term_election_id_election')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_term')),
    sa.UniqueConstraint('election_id', 'committee', name=op.f('uq_committee_term_election_id_committee'))
    )
    with op.batch_alter_table('committee_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_term_community_id'), ['community_id'], unique=False)
    op.create_table('committee_seat',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('office', sa.String(length=20), nullable=True),
    sa.Column('started_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=20), nullable=True),
    sa.Column('recall_election_id', sa.Integer(), nullable=True),
    sa.Column('stepped_up_from', sa.Integer(), nullable=True),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_committee_seat_community_id_community')),
    sa.ForeignKeyConstraint(['grant_id'], ['role_membership.id'], name=op.f('fk_committee_seat_grant_id_role_membership')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_committee_seat_person_id_person')),
    sa.ForeignKeyConstraint(['recall_election_id'], ['election.id'], name=op.f('fk_committee_seat_recall_election_id_election')),
    sa.ForeignKeyConstraint(['stepped_up_from'], ['committee_seat.id'], name=op.f('fk_committee_seat_stepped_up_from_committee_seat')),
    sa.ForeignKeyConstraint(['term_id'], ['committee_term.id'], name=op.f('fk_committee_seat_term_id_committee_term')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_seat'))
    )
    with op.batch_alter_table('committee_seat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_seat_term_id'), ['term_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('committee_seat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_seat_term_id'))
    op.drop_table('committee_seat')
    with op.batch_alter_table('committee_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_term_community_id'))
    op.drop_table('committee_term')
