"""compound settings: committee term and seat bounds; elections freeze their settings (issue #13)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:20:00.000000
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = (
    ('term_years', '5'),
    ('committee_min_seats', '5'),
    ('committee_max_seats', '11'),
    ('supervisory_min_seats', '3'),
    ('supervisory_max_seats', '5'),
)
FROZEN = (
    'head_rule', 'proxy_cap', 'tally_step', 'meeting_notice_days', 'extraordinary_notice_days',
    'candidate_publicity_days', 'result_publicity_days', 'non_voter_rule', 'paper_priority',
    'term_years', 'committee_min_seats', 'committee_max_seats', 'supervisory_min_seats',
    'supervisory_max_seats',
)


def upgrade() -> None:
    # Added in place, defaults kept: on SQLite removing a default rewrites the table, and the
    # rows of every other table that refer to a compound forbid dropping it.
    with op.batch_alter_table('community', schema=None) as batch_op:
        for name, default in NEW:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings_json', sa.Text(), nullable=True))
    # Elections announced before this migration ran under their compound's settings of today,
    # the only ones ever recorded: freeze those.
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT e.id, " + ", ".join(f"c.{n}" for n in FROZEN)
        + " FROM election e JOIN community c ON c.id = e.community_id WHERE e.state <> 'draft'"
    )).all()
    for row in rows:
        frozen = dict(zip(FROZEN, row[1:], strict=True))
        frozen['non_voter_rule'] = bool(frozen['non_voter_rule'])
        bind.execute(
            sa.text("UPDATE election SET settings_json = :s WHERE id = :id"),
            {"s": json.dumps(frozen, sort_keys=True), "id": row[0]},
        )


def downgrade() -> None:
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.drop_column('settings_json')
    # not in batch: on SQLite a rewrite of the compound table fails while rows refer to it
    for name, _ in reversed(NEW):
        op.drop_column('community', name)
