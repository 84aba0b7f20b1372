"""one timezone per guild: digest_configs.timezone merged into guild_settings.timezone

A guild's timezone was stored twice: with the digest (/digest set timezone:) and in the guild's settings
(/settings timezone). Task deadlines read the settings' zone as soon as a settings row existed, so a row
created by an unrelated setting (/settings retention) reset deadlines to UTC under a Berlin digest.

Merge rule (what the admin last chose on purpose wins over a default):
- no settings row: one is created with the digest's zone (when the digest's is not UTC);
- the settings' zone is UTC (the default every new row gets) and the digest's is not: the digest's wins;
- both name a zone other than UTC: the settings' wins (it is the one /settings timezone set, and deadlines
  already use it); that digest now fires at its time in the settings' zone.
Then digest_configs.timezone is dropped. Downgrade copies the guild's zone back into the digest column.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 22:00:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    bind = op.get_bind()
    digests = bind.execute(
        sa.text("SELECT guild_id, timezone FROM digest_configs WHERE timezone IS NOT NULL AND timezone NOT IN ('', 'UTC')")
    ).fetchall()
    for guild_id, zone in digests:
        current = bind.execute(
            sa.text("SELECT timezone FROM guild_settings WHERE guild_id = :guild_id"), {"guild_id": guild_id}
        ).fetchone()
        if current is None:
            bind.execute(
                sa.text("INSERT INTO guild_settings (guild_id, timezone) VALUES (:guild_id, :zone)"),
                {"guild_id": guild_id, "zone": zone},
            )
        elif current[0] in (None, '', 'UTC'):
            bind.execute(
                sa.text("UPDATE guild_settings SET timezone = :zone WHERE guild_id = :guild_id"),
                {"guild_id": guild_id, "zone": zone},
            )
    with op.batch_alter_table('digest_configs', schema=None) as batch_op:
        batch_op.drop_column('timezone')


def downgrade() -> None:
    with op.batch_alter_table('digest_configs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC'))
    op.get_bind().execute(
        sa.text(
            "UPDATE digest_configs SET timezone = COALESCE("
            "(SELECT s.timezone FROM guild_settings s WHERE s.guild_id = digest_configs.guild_id), 'UTC')"
        )
    )
