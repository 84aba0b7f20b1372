"""The collector end to end: the real bot on the fake Discord gateway writing to a real SQLite database."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Channel, Member, Message
from tests.fixtures.discord import eventually

COLLECTOR = ("collector",)


async def stored_messages(bot, channel_id: int | None = None) -> dict[int, Message]:
    async with bot.sessions() as session:
        query = select(Message)
        if channel_id is not None:
            query = query.where(Message.channel_id == channel_id)
        return {m.id: m for m in (await session.scalars(query)).all()}


async def collector_of(bot):
    cog = bot.get_cog("Collector")
    await cog.flush()
    return cog


async def test_a_message_lands_in_the_database(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        sent = await fake_discord.send_message(small_server.general, small_server.alice, f"hello <@{small_server.bob}>")
        rows = await eventually(lambda: stored_messages(bot, small_server.general))
        row = rows[int(sent["id"])]
        assert row.content == f"hello <@{small_server.bob}>"
        assert row.author_id == small_server.alice
        assert row.guild_id == small_server.guild
        assert row.mention_ids == [small_server.bob]
        assert row.is_bot is False
        async with bot.sessions() as session:
            names = dict((await session.execute(select(Member.user_id, Member.display_name))).all())
            channel = await session.get(Channel, small_server.general)
        assert names[small_server.alice] == "Alice"
        assert names[small_server.bob] == "Bobby"
        assert channel.name == "general"
