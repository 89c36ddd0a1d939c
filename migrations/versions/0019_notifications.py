"""notifications: the inbox, channels and quiet hours, the durable outbox (issue #15 part 3)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.store.models.base


revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inbox_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('zh', sa.Text(), nullable=False),
    sa.Column('en', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('security', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('once_key', sa.String(length=80), nullable=True),
    sa.Column('created_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_inbox_item_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_item')),
    sa.UniqueConstraint('account_id', 'once_key', name=op.f('uq_inbox_item_account_id_once_key'))
    )
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_item_account_unread', ['account_id', 'read_at'], unique=False)

    op.create_table('notification_preference',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('sms', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('quiet_start', sa.Integer(), nullable=True),
    sa.Column('quiet_end', sa.Integer(), nullable=True),
    sa.Column('updated_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_notification_preference_account_id_account')),
    sa.PrimaryKeyConstraint('account_id', name=op.f('pk_notification_preference'))
    )
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('secret', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('security', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('due_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim', sa.String(length=32), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('created_at', api.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', api.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_outbox_message_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_status_due', ['status', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_due')

    op.drop_table('outbox_message')
    op.drop_table('notification_preference')
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_item_account_unread')

    op.drop_table('inbox_item')
