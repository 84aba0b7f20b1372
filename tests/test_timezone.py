"""One timezone per server: the one `/settings timezone` and `/digest set timezone:` both set, used for deadlines and digests."""

from __future__ import annotations

import dataclasses
from datetime import UTC
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, inspect, select, text

from bot.settings import to_sync_url
from bot.storage import db
from bot.storage.tables import Message, Task
from tests.fixtures.db import sqlite_url
from tests.fixtures.discord import eventually

COGS = ("collector", "errors", "tasks", "digest", "settings")
BERLIN = ZoneInfo("Europe/Berlin")


async def stored(bot, count: int) -> bool:
    async with bot.sessions() as session:
        return len(list(await session.scalars(select(Message.id)))) >= count


async def test_deadlines_use_the_digest_timezone_after_another_setting_is_changed(fake_discord, small_server, start_bot, bot_settings):
    server = small_server
    settings = dataclasses.replace(bot_settings, user_cooldown_s=0.0)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        reply = await (
            await fake_discord.interact(
                server.general, server.owner, "digest set", {"channel": server.general, "time": "09:00", "timezone": "Europe/Berlin"}
            )
        ).reply()
        assert reply.content.startswith("Daily digest set: 09:00 Europe/Berlin")
        # Any other setting creates the server's settings row; the timezone set with the digest must survive it.
        reply = await (await fake_discord.interact(server.general, server.owner, "settings retention", {"days": 30})).reply()
        assert "30 days" in reply.content
        await fake_discord.send_message(server.general, server.alice, "I'll send the report tomorrow EOD")
        await eventually(lambda: stored(bot, 1))
        reply = await (await fake_discord.interact(server.general, server.alice, "tasks scan", {"window": "last 10"})).reply()
        assert "1 task found" in reply.content
        async with bot.sessions() as session:
            [task] = list(await session.scalars(select(Task)))
        due = task.due_at if task.due_at.tzinfo else task.due_at.replace(tzinfo=UTC)
        assert due.astimezone(BERLIN).hour == 17  # end of day in Berlin, not 17:00 UTC

        reply = await (await fake_discord.interact(server.general, server.owner, "settings show")).reply()
        assert "**Timezone:** Europe/Berlin" in reply.content


def _migrated_to_0002_with(url: str, rows: dict[int, tuple[str | None, str | None]]) -> None:
    """guild id -> (digest timezone, settings timezone; None: no such row), written at schema 0002."""
    db.upgrade(url, "0002")
    engine = create_engine(to_sync_url(url))
    with engine.begin() as connection:
        for guild_id, (digest_zone, settings_zone) in rows.items():
            connection.execute(text("INSERT INTO guilds (id, name) VALUES (:id, 'g')"), {"id": guild_id})
            if digest_zone is not None:
                connection.execute(
                    text(
                        "INSERT INTO digest_configs (guild_id, target_channel_id, time_of_day, timezone, source_channel_ids, enabled)"
                        " VALUES (:id, 1, '09:00', :zone, '[]', 1)"
                    ),
                    {"id": guild_id, "zone": digest_zone},
                )
            if settings_zone is not None:
                connection.execute(
                    text("INSERT INTO guild_settings (guild_id, timezone) VALUES (:id, :zone)"), {"id": guild_id, "zone": settings_zone}
                )
    engine.dispose()


def _settings_zones(url: str) -> dict[int, str]:
    engine = create_engine(to_sync_url(url))
    with engine.connect() as connection:
        zones = dict(connection.execute(text("SELECT guild_id, timezone FROM guild_settings")).fetchall())
    engine.dispose()
    return zones


def test_the_migration_merges_the_two_timezones_into_the_guild_settings(tmp_path):
    url = sqlite_url(tmp_path)
    _migrated_to_0002_with(
        url,
        {
            1: ("Europe/Berlin", None),  # only the digest had one
            2: ("Europe/Berlin", "UTC"),  # a settings row created with the default (the bug)
            3: ("Europe/Berlin", "America/New_York"),  # both chosen: /settings timezone wins
            4: ("UTC", "Asia/Tokyo"),  # a default digest zone never overrides a chosen one
            5: ("UTC", None),  # nothing to carry over
        },
    )
    db.upgrade(url)
    assert _settings_zones(url) == {1: "Europe/Berlin", 2: "Europe/Berlin", 3: "America/New_York", 4: "Asia/Tokyo"}
    engine = create_engine(to_sync_url(url))
    with engine.connect() as connection:
        assert "timezone" not in {c["name"] for c in inspect(connection).get_columns("digest_configs")}
    engine.dispose()

    from alembic import command

    command.downgrade(db.alembic_config(url), "0002")
    engine = create_engine(to_sync_url(url))
    with engine.connect() as connection:
        back = dict(connection.execute(text("SELECT guild_id, timezone FROM digest_configs")).fetchall())
    engine.dispose()
    assert back == {1: "Europe/Berlin", 2: "Europe/Berlin", 3: "America/New_York", 4: "Asia/Tokyo", 5: "UTC"}
