"""/privacy optout, optin and forget through INTERACTION_CREATE on the fake Discord, checked in the database."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.tables import Message, OptedOutUser
from tests.fixtures.discord import eventually

COGS = ("collector", "privacy")


async def authors_stored(bot) -> list[int]:
    async with bot.sessions() as session:
        return list(await session.scalars(select(Message.author_id).order_by(Message.id)))


async def stored_count(bot) -> int:
    return len(await authors_stored(bot))


async def chat(fake, server, *lines: tuple[int, str]) -> list[dict]:
    return [await fake.send_message(server.general, author, text) for author, text in lines]


async def test_privacy_commands_are_synced_as_one_guild_only_group(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS):
        command = fake_discord.global_commands["privacy"]
        assert sorted(o["name"] for o in command["options"]) == ["forget", "optin", "optout"]
        assert command.get("contexts") == [0]  # guilds only


async def test_optout_erases_my_messages_says_how_many_and_stops_storing(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS) as bot:
        server = small_server
        await chat(fake_discord, server, (server.alice, "one"), (server.bob, "hi"), (server.alice, "two"), (server.alice, "three"))
        await eventually(lambda: _count_is(bot, 4))

        handle = await fake_discord.interact(server.general, server.alice, "privacy optout")
        reply = await handle.reply()
        assert reply.ephemeral
        assert "erased 3 stored messages" in reply.content
        assert await authors_stored(bot) == [server.bob]

        after = await chat(fake_discord, server, (server.alice, "you should not keep this"), (server.bob, "marker"))
        await eventually(lambda: _count_is(bot, 2))
        assert await authors_stored(bot) == [server.bob, server.bob]
        assert int(after[0]["id"]) not in await _ids(bot)


async def _count_is(bot, count: int) -> bool:
    return await stored_count(bot) == count


async def _ids(bot) -> set[int]:
    async with bot.sessions() as session:
        return set(await session.scalars(select(Message.id)))


async def test_optout_also_erases_messages_received_but_not_yet_written(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        collector.writer.flush_interval = 60  # keep the message queued until something flushes
        await chat(fake_discord, small_server, (small_server.alice, "queued, not yet written"))
        await eventually(lambda: collector.writer.pending)
        handle = await fake_discord.interact(small_server.general, small_server.alice, "privacy optout")
        reply = await handle.reply()
        assert "erased 1 stored message " in reply.content
        assert await stored_count(bot) == 0


async def test_optin_resumes_storing_new_messages(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS) as bot:
        server = small_server
        await (await fake_discord.interact(server.general, server.alice, "privacy optout")).reply()
        reply = await (await fake_discord.interact(server.general, server.alice, "privacy optin")).reply()
        assert reply.ephemeral and "store your new messages" in reply.content
        async with bot.sessions() as session:
            assert list(await session.scalars(select(OptedOutUser.user_id))) == []
        sent = await chat(fake_discord, server, (server.alice, "back again"))
        await eventually(lambda: _count_is(bot, 1))
        assert await _ids(bot) == {int(sent[0]["id"])}

        again = await (await fake_discord.interact(server.general, server.alice, "privacy optin")).reply()
        assert "Nothing to change" in again.content


async def test_forget_erases_my_messages_but_keeps_collecting(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS) as bot:
        server = small_server
        await chat(fake_discord, server, (server.alice, "one"), (server.alice, "two"), (server.bob, "mine stay"))
        await eventually(lambda: _count_is(bot, 3))
        reply = await (await fake_discord.interact(server.general, server.alice, "privacy forget")).reply()
        assert reply.ephemeral and "erased 2 stored messages" in reply.content
        assert await authors_stored(bot) == [server.bob]
        await chat(fake_discord, server, (server.alice, "new one"))
        await eventually(lambda: _count_is(bot, 2))
        assert await authors_stored(bot) == [server.bob, server.alice]


async def test_opting_out_in_one_server_leaves_another_server_alone(fake_discord, small_server, start_bot):
    other_guild = fake_discord.add_guild("Other")
    other_channel = fake_discord.add_channel(other_guild, "lobby")
    fake_discord.add_member(other_guild, user_id=small_server.alice)
    async with start_bot(cogs=COGS) as bot:
        await fake_discord.send_message(other_channel, small_server.alice, "elsewhere")
        await chat(fake_discord, small_server, (small_server.alice, "here"))
        await eventually(lambda: _count_is(bot, 2))
        reply = await (await fake_discord.interact(small_server.general, small_server.alice, "privacy optout")).reply()
        assert "erased 1 stored message " in reply.content
        async with bot.sessions() as session:
            assert list(await session.scalars(select(Message.channel_id))) == [other_channel]


async def test_forgotten_messages_are_not_collected_again_after_a_restart(fake_discord, small_server, start_bot):
    server = small_server
    async with start_bot(cogs=COGS) as bot:
        await chat(fake_discord, server, (server.bob, "older"), (server.alice, "newest message here is mine"))
        await eventually(lambda: _count_is(bot, 2))
        await (await fake_discord.interact(server.general, server.alice, "privacy forget")).reply()
        assert await authors_stored(bot) == [server.bob]
    # Her messages are still in Discord's history, and were the newest in the channel: catch-up must not bring them back.
    async with start_bot(cogs=COGS) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        assert await authors_stored(bot) == [server.bob]
