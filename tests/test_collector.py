"""The collector end to end: the real bot on the fake Discord gateway writing to a real SQLite database."""

from __future__ import annotations

import dataclasses

from discord.utils import snowflake_time
from sqlalchemy import func, select

from bot.storage.tables import Channel, Guild, Member, Message
from tests.fixtures.discord import eventually

COLLECTOR = ("collector",)


async def stored_messages(bot, channel_id: int | None = None) -> dict[int, Message]:
    async with bot.sessions() as session:
        query = select(Message)
        if channel_id is not None:
            query = query.where(Message.channel_id == channel_id)
        return {m.id: m for m in (await session.scalars(query)).all()}


async def stored_ids(bot, channel_id: int | None = None) -> set[int]:
    return set(await stored_messages(bot, channel_id))


async def wait_stored(bot, *messages: dict) -> dict[int, Message]:
    wanted = {int(m["id"]) for m in messages}
    return await eventually(lambda: _having(bot, wanted))


async def _having(bot, wanted: set[int]) -> dict[int, Message] | None:
    rows = await stored_messages(bot)
    return rows if wanted <= set(rows) else None


def ids(*messages: dict) -> set[int]:
    return {int(m["id"]) for m in messages}


async def test_a_message_lands_in_the_database(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        sent = await fake_discord.send_message(small_server.general, small_server.alice, f"hello <@{small_server.bob}>")
        row = (await wait_stored(bot, sent))[int(sent["id"])]
        assert row.content == f"hello <@{small_server.bob}>"
        assert row.author_id == small_server.alice
        assert row.guild_id == small_server.guild
        assert row.channel_id == small_server.general
        assert row.mention_ids == [small_server.bob]
        assert row.is_bot is False
        assert row.created_at.replace(tzinfo=None) == snowflake_time(int(sent["id"])).replace(tzinfo=None)
        async with bot.sessions() as session:
            names = dict((await session.execute(select(Member.user_id, Member.display_name))).all())
            channel = await session.get(Channel, small_server.general)
            guild = await session.get(Guild, small_server.guild)
        # Display names as the server shows them: nickname, else global name, else username.
        assert names[small_server.alice] == "Alice"
        assert names[small_server.bob] == "Bobby"
        assert (channel.name, channel.kind, guild.name) == ("general", "text", "Smol Server")


async def test_replies_attachments_and_thread_messages_are_stored_with_their_context(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        first = await fake_discord.send_message(small_server.general, small_server.alice, "see the plan")
        reply = await fake_discord.send_message(
            small_server.general, small_server.bob, "looks good", reply_to=int(first["id"]), attachments=["plan.png"]
        )
        in_thread = await fake_discord.send_message(small_server.thread, small_server.alice, "thread talk")
        rows = await wait_stored(bot, first, reply, in_thread)
        stored_reply = rows[int(reply["id"])]
        assert stored_reply.reply_to_id == int(first["id"])
        assert stored_reply.attachments == ["plan.png (file, 1 kB)"]
        assert small_server.alice in stored_reply.mention_ids  # a reply pings its author unless told not to
        assert rows[int(in_thread["id"])].channel_id == small_server.thread
        async with bot.sessions() as session:
            thread = await session.get(Channel, small_server.thread)
        assert thread.parent_id == small_server.general


async def test_an_edit_changes_the_stored_message(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        sent = await fake_discord.send_message(small_server.general, small_server.alice, "meeting at 3")
        await wait_stored(bot, sent)
        await fake_discord.edit_message(small_server.general, int(sent["id"]), content=f"meeting at 4, <@{small_server.bob}>")

        async def edited():
            row = (await stored_messages(bot))[int(sent["id"])]
            return row if row.content.startswith("meeting at 4") else None

        row = await eventually(edited)
        assert row.edited_at is not None
        assert row.mention_ids == [small_server.bob]


async def test_a_partial_edit_changes_only_the_fields_it_carries(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        sent = await fake_discord.send_message(
            small_server.general, small_server.alice, f"read this <@{small_server.bob}> https://example.com", attachments=["notes.txt"]
        )
        await wait_stored(bot, sent)
        # A link preview arriving later: embeds only, no edited_timestamp, no attachments or mentions keys.
        await fake_discord.edit_message(
            small_server.general, int(sent["id"]), partial=True, embeds=[{"title": "Example Domain", "description": "For use in examples"}]
        )

        async def with_embed():
            row = (await stored_messages(bot))[int(sent["id"])]
            return row if row.embeds else None

        row = await eventually(with_embed)
        assert row.embeds == ["embed: Example Domain | For use in examples"]
        assert row.content == f"read this <@{small_server.bob}> https://example.com"
        assert row.attachments == ["notes.txt (file, 1 kB)"]
        assert row.mention_ids == [small_server.bob]
        assert row.edited_at is None


async def test_deleted_message_is_gone_from_the_database(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        keep = await fake_discord.send_message(small_server.general, small_server.alice, "keep me")
        gone = await fake_discord.send_message(small_server.general, small_server.alice, "my password is hunter2")
        await wait_stored(bot, keep, gone)
        await fake_discord.delete_message(small_server.general, int(gone["id"]))
        remaining = await eventually(lambda: _without(bot, ids(gone)))
        assert int(keep["id"]) in remaining
        async with bot.sessions() as session:
            leftovers = await session.scalar(select(func.count()).select_from(Message).where(Message.content.contains("hunter2")))
        assert leftovers == 0


async def _without(bot, unwanted: set[int]) -> set[int] | None:
    present = await stored_ids(bot)
    return present if not unwanted & present else None


async def test_bulk_deleted_messages_are_gone(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        sent = [await fake_discord.send_message(small_server.general, small_server.bob, f"spam {i}") for i in range(6)]
        await wait_stored(bot, *sent)
        await fake_discord.bulk_delete(small_server.general, [int(m["id"]) for m in sent[1:5]])
        remaining = await eventually(lambda: _without(bot, ids(*sent[1:5])))
        assert remaining == ids(sent[0], sent[5])


async def test_a_message_deleted_right_after_it_was_sent_is_not_stored(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        gone = await fake_discord.send_message(small_server.general, small_server.alice, "oops, wrong channel")
        await fake_discord.delete_message(small_server.general, int(gone["id"]))
        marker = await fake_discord.send_message(small_server.general, small_server.alice, "after")
        # The delete is queued behind the save and the gateway keeps order: once `after` is stored, both ran.
        rows = await wait_stored(bot, marker)
        assert int(gone["id"]) not in rows


async def test_deleting_a_channel_removes_its_messages_and_its_threads_messages(fake_discord, small_server, start_bot):
    other = fake_discord.add_channel(small_server.guild, "random")
    async with start_bot(cogs=COLLECTOR) as bot:
        in_channel = await fake_discord.send_message(small_server.general, small_server.alice, "channel message")
        in_thread = await fake_discord.send_message(small_server.thread, small_server.bob, "thread message")
        elsewhere = await fake_discord.send_message(other, small_server.bob, "unrelated")
        await wait_stored(bot, in_channel, in_thread, elsewhere)
        await fake_discord.delete_channel(small_server.general)
        remaining = await eventually(lambda: _without(bot, ids(in_channel, in_thread)))
        assert remaining == ids(elsewhere)
        async with bot.sessions() as session:
            channel_ids = set(await session.scalars(select(Channel.id)))
        assert small_server.general not in channel_ids and small_server.thread not in channel_ids


async def test_deleting_a_thread_removes_its_messages(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        in_channel = await fake_discord.send_message(small_server.general, small_server.alice, "channel message")
        in_thread = await fake_discord.send_message(small_server.thread, small_server.bob, "thread message")
        await wait_stored(bot, in_channel, in_thread)
        await fake_discord.delete_channel(small_server.thread)
        remaining = await eventually(lambda: _without(bot, ids(in_thread)))
        assert remaining == ids(in_channel)


async def test_leaving_a_guild_erases_everything_stored_from_it(fake_discord, small_server, start_bot):
    other_guild = fake_discord.add_guild("Other")
    other_channel = fake_discord.add_channel(other_guild, "lobby")
    carol = fake_discord.add_member(other_guild, "carol")
    async with start_bot(cogs=COLLECTOR) as bot:
        here = await fake_discord.send_message(small_server.general, small_server.alice, "bye")
        there = await fake_discord.send_message(other_channel, carol, "still here")
        await wait_stored(bot, here, there)
        await fake_discord.remove_guild(small_server.guild)
        remaining = await eventually(lambda: _without(bot, ids(here)))
        assert remaining == ids(there)
        async with bot.sessions() as session:
            assert await session.get(Guild, small_server.guild) is None
            assert await session.get(Guild, other_guild) is not None


async def test_catch_up_after_a_restart_fills_the_gap(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        before = await fake_discord.send_message(small_server.general, small_server.alice, "before the outage")
        await wait_stored(bot, before)

    # Posted while the bot was down: in Discord's history, never dispatched.
    missed = fake_discord.add_history(small_server.general, [(small_server.bob, f"missed {i}") for i in range(150)])
    missed_thread = fake_discord.add_history(small_server.thread, [(small_server.alice, "missed in thread")])
    missed_staff = fake_discord.add_history(small_server.staff, [(small_server.moderator, "missed in staff")])
    requests_before_restart = len(fake_discord.requests)

    async with start_bot(cogs=COLLECTOR) as bot:
        fetched = await bot.get_cog("Collector").wait_caught_up()
        rows = await stored_messages(bot)
        assert ids(before, *missed, *missed_thread, *missed_staff) <= set(rows)
        assert fetched == len(missed) + len(missed_thread) + len(missed_staff)
        assert rows[int(missed[0]["id"])].content == "missed 0"
        # It asked only for what came after the newest stored message of each channel.
        history_calls = fake_discord.find_requests("GET", rf"/channels/{small_server.general}/messages$", since=requests_before_restart)
        assert len(history_calls) == 2  # 150 missed messages: two pages of 100


async def test_catch_up_skips_channels_the_bot_cannot_read(fake_discord, small_server, start_bot):
    hidden = fake_discord.add_channel(small_server.guild, "secret", visible_to=[small_server.alice])
    no_history = fake_discord.add_channel(
        small_server.guild,
        "announcements",
        overwrites=[fake_discord.overwrite(small_server.guild, deny="read_message_history")],
    )
    fake_discord.add_history(hidden, [(small_server.alice, "secret stuff")])
    fake_discord.add_history(no_history, [(small_server.owner, "old news")])
    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        assert await stored_ids(bot) == set()
        assert not fake_discord.find_requests("GET", rf"/channels/({hidden}|{no_history})/messages")


async def test_a_channel_never_collected_gets_its_newest_messages_up_to_the_backfill_limit(
    fake_discord, small_server, start_bot, bot_settings
):
    history = fake_discord.add_history(small_server.general, [(small_server.bob, f"old {i}") for i in range(12)])
    async with start_bot(cogs=COLLECTOR, settings=dataclasses.replace(bot_settings, backfill_limit=5)) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        assert await stored_ids(bot) == ids(*history[-5:])


async def test_live_messages_stored_before_catch_up_do_not_hide_the_gap(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        first = await fake_discord.send_message(small_server.general, small_server.alice, "first")
        await wait_stored(bot, first)
        # A new gateway session: what was posted while disconnected is only in history, and a live
        # message is stored before the catch-up of this channel starts.
        await collector.on_connect()
        gap = fake_discord.add_history(small_server.general, [(small_server.bob, f"gap {i}") for i in range(3)])
        live = await fake_discord.send_message(small_server.general, small_server.alice, "live")
        await wait_stored(bot, live)
        collector.start_catch_up(bot.get_guild(small_server.guild))
        await collector.wait_caught_up()
        assert ids(first, *gap, live) <= await stored_ids(bot)


async def test_a_burst_of_2000_messages_is_stored_completely_in_few_commits(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        batches_before = collector.writer.stats.batches
        sent = await fake_discord.send_burst(small_server.general, small_server.alice, (f"burst {i}" for i in range(2000)))
        await wait_stored(bot, sent[-1])
        await collector.flush()
        assert await stored_ids(bot, small_server.general) == ids(*sent)
        commits = collector.writer.stats.batches - batches_before
        assert commits <= 2000 // 10, f"{commits} commits for 2000 messages: not batched"


async def test_the_bots_own_messages_are_stored_as_bot_messages(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        posted = await bot.get_channel(small_server.general).send("I am a bot")
        rows = await eventually(lambda: _having(bot, {posted.id}))
        assert rows[posted.id].is_bot is True
        assert rows[posted.id].author_id == fake_discord.bot_id


async def test_pending_messages_are_written_when_the_bot_closes(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COLLECTOR) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        collector.writer.flush_interval = 60  # nothing is committed by the timer during this test
        sent = await fake_discord.send_message(small_server.general, small_server.alice, "last words")
        await eventually(lambda: collector.writer.pending)
    async with start_bot(cogs=()) as bot:
        assert int(sent["id"]) in await stored_ids(bot)
