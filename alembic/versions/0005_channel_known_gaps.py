"""channels.gap_after_id / gap_before_id: a known range of history the catch-up has not fetched yet

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gap_after_id', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('gap_before_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channels', schema=None) as batch_op:
        batch_op.drop_column('gap_before_id')
        batch_op.drop_column('gap_after_id')
