"""messages.kind and messages.forwarded_from: system notices and forwards are stored, marked for what they are

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 22:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
# TEMPORARY: 0003 is written on another branch at the same time; this branch chains onto 0002 until the lead
# merges both and sets this back to '0003'.
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        # Every row stored before this revision is something a member wrote: "default".
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='default'))
        batch_op.add_column(sa.Column('forwarded_from', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('forwarded_from')
        batch_op.drop_column('kind')
