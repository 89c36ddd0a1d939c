"""role grants as records: reason, end, revocation; activation letters for officials (issue #13)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        # existing grants were made by the seed or create-admin: no reason was recorded
        batch_op.add_column(sa.Column('reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('ends_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('revoke_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_role_membership_revoked_by_account'), 'account', ['revoked_by'], ['id'])
    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        batch_op.alter_column('reason', existing_type=sa.String(length=500), server_default=None)
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.alter_column('community_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_activation_code_account_id'), ['account_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_activation_code_account_id_account'), 'account', ['account_id'], ['id'])


def downgrade() -> None:
    # An official's letter names no roll entry: unused ones are void without their column.
    op.execute(sa.text("DELETE FROM activation_code WHERE person_id IS NULL"))
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_activation_code_account_id_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_activation_code_account_id'))
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('community_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('account_id')
    # Revoked and ended grants would count as held again without their columns: drop them.
    op.execute(sa.text("DELETE FROM role_membership WHERE revoked_at IS NOT NULL OR ends_at IS NOT NULL"))
    with op.batch_alter_table('role_membership', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_role_membership_revoked_by_account'), type_='foreignkey')
        batch_op.drop_column('revoke_reason')
        batch_op.drop_column('revoked_by')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('ends_at')
        batch_op.drop_column('reason')
