"""The fake Discord answers discord.py the way Discord does: history paging, permissions, intents, limits, interactions."""

from __future__ import annotations

import dataclasses

import discord
import pytest
from discord import app_commands

from bot.client import SAFE_MENTIONS
from bot.responsiveness import YieldingWebSocket, install_yielding_gateway, uninstall_yielding_gateway
from tests.fixtures.discord import eventually, running_bot

NO_COGS = ()


async def test_history_pages_like_discord_in_every_direction(fake_discord, small_server, start_bot):
    history = fake_discord.add_history(small_server.general, [(small_server.alice, f"m{i}") for i in range(250)])
    contents = [m["content"] for m in history]
    async with start_bot(cogs=NO_COGS) as bot:
        channel = bot.get_channel(small_server.general)
        newest_first = [m.content async for m in channel.history(limit=None)]
        assert newest_first == contents[::-1]
        after = discord.Object(int(history[9]["id"]))
        assert [m.content async for m in channel.history(limit=None, after=after)] == contents[10:]
        assert [m.content async for m in channel.history(limit=30, after=after, oldest_first=False)] == contents[::-1][:30]
        before = discord.Object(int(history[200]["id"]))
        assert [m.content async for m in channel.history(limit=150, before=before)] == contents[50:200][::-1]
        around = [m.content async for m in channel.history(limit=11, around=discord.Object(int(history[100]["id"])))]
        assert "m100" in around and len(around) == 11


async def test_permissions_match_discords_rules(fake_discord, start_bot):
    fake = fake_discord
    guild = fake.add_guild("Perms", bot_permissions=["manage_messages"])
    muted = fake.add_role(guild, "muted")
    helpers = fake.add_role(guild, "helpers")
    admin_role = fake.add_role(guild, "admins", permissions="administrator")
    user = fake.add_member(guild, "user", roles=[muted, helpers])
    admin = fake.add_member(guild, "admin", roles=[admin_role])
    channel = fake.add_channel(
        guild,
        "rules",
        overwrites=[
            fake.overwrite(guild, deny=["send_messages"]),  # @everyone may not talk
            fake.overwrite(muted, deny=["add_reactions"]),
            fake.overwrite(helpers, allow=["send_messages"]),  # a role allow beats the @everyone deny
            fake.overwrite(user, deny=["attach_files"], member=True),  # the member's own overwrite applies last
        ],
    )
    hidden = fake.add_channel(guild, "hidden", visible_to=[admin])
    assert fake.can(user, channel, "send_messages") and not fake.can(user, channel, "attach_files")
    assert not fake.can(user, channel, "add_reactions")
    assert not fake.can(user, hidden, "view_channel") and fake.can(admin, hidden, "manage_channels")
    assert not fake.can(fake.bot_id, hidden, "view_channel")

    async with start_bot(cogs=NO_COGS) as bot:
        # The fake's view and discord.py's agree.
        guild_obj = bot.get_guild(guild)
        for channel_id in (channel, hidden):
            channel_obj = guild_obj.get_channel(channel_id)
            me = channel_obj.permissions_for(guild_obj.me)
            assert me.value == fake.permissions_in(channel_id, fake.bot_id)
        # Hidden from the bot: Discord sends no events for it and refuses its history.
        await fake.send_message(hidden, admin, "secret")
        with pytest.raises(discord.Forbidden):
            await guild_obj.get_channel(hidden).fetch_message(1)


async def test_member_permissions_arrive_with_interactions(fake_discord, small_server, start_bot):
    seen = {}

    @app_commands.command(name="probe", description="report permissions")
    async def probe(interaction: discord.Interaction) -> None:
        channel = interaction.channel
        seen["resolved"] = channel.permissions_for(interaction.user).manage_messages
        seen["interaction"] = interaction.permissions.manage_messages
        await interaction.response.send_message("ok", ephemeral=True)

    async with start_bot(cogs=NO_COGS) as bot:
        bot.tree.add_command(probe)
        await bot.tree.sync()
        await (await fake_discord.interact(small_server.general, small_server.moderator, "probe")).reply()
        assert seen == {"resolved": True, "interaction": True}
        await (await fake_discord.interact(small_server.general, small_server.alice, "probe")).reply()
        assert seen == {"resolved": False, "interaction": False}


async def test_without_the_message_content_intent_content_is_blank(fake_discord, small_server, bot_settings):
    received = []
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake_discord.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = discord.gateway.yarl.URL(fake_discord.gateway_url)
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
    client.event(_collect(received))
    try:
        await client.login("x" * 59)
        task = client.loop.create_task(client.connect())
        await client.wait_until_ready()
        await fake_discord.send_message(small_server.general, small_server.alice, "private words")
        await fake_discord.send_message(small_server.general, small_server.alice, f"<@{fake_discord.bot_id}> hi")
        await eventually(lambda: len(received) == 2)
        assert [m.content for m in received] == ["", f"<@{fake_discord.bot_id}> hi"]
    finally:
        await client.close()
        await task
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


def _collect(received):
    async def on_message(message):
        received.append(message)

    return on_message


async def test_posts_are_recorded_with_their_allowed_mentions_and_echoed_on_the_gateway(fake_discord, small_server, start_bot):
    async with start_bot(cogs=NO_COGS) as bot:
        echoed = []
        bot.add_listener(_collect(echoed), "on_message")
        channel = bot.get_channel(small_server.general)
        sent = await channel.send(f"hey <@{small_server.alice}> @everyone")
        posted = (await fake_discord.wait_for_posted(small_server.general))[0]
        assert posted.content == f"hey <@{small_server.alice}> @everyone"
        assert posted.allowed_mentions == SAFE_MENTIONS.to_dict()
        assert posted.id == sent.id
        await eventually(lambda: echoed)
        assert echoed[0].id == sent.id and echoed[0].author.id == fake_discord.bot_id
        request = await fake_discord.wait_for_request("POST", rf"/channels/{small_server.general}/messages$")
        assert request.json["content"] == posted.content


async def test_discords_limits_are_enforced(fake_discord, small_server, start_bot):
    async with start_bot(cogs=NO_COGS) as bot:
        channel = bot.get_channel(small_server.general)
        with pytest.raises(discord.HTTPException) as too_long:
            await channel.send("x" * 2001)
        assert too_long.value.code == 50035
        with pytest.raises(discord.HTTPException):
            await channel.send(embed=discord.Embed(description="y" * 4097))
        await channel.send("x" * 2000)
        theirs = await fake_discord.send_message(small_server.general, small_server.alice, "not yours to delete")
        with pytest.raises(discord.Forbidden):  # the bot lacks Manage Messages in this server
            await channel.get_partial_message(int(theirs["id"])).delete()
    assert len(fake_discord.posted_messages()) == 1


async def test_slash_command_options_autocomplete_and_buttons(fake_discord, small_server, start_bot):
    calls = {}

    class Confirm(discord.ui.View):
        @discord.ui.button(label="Yes", custom_id="confirm:yes")
        async def yes(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
            calls["clicked_by"] = interaction.user.id
            await interaction.response.edit_message(content="confirmed", view=None)

    async def pick(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=n, value=n) for n in ("alpha", "beta") if n.startswith(current)]

    @app_commands.command(name="ask", description="options of every kind")
    @app_commands.autocomplete(word=pick)
    async def ask(
        interaction: discord.Interaction, who: discord.Member, where: discord.TextChannel, count: int, word: str = "none"
    ) -> None:
        calls["ask"] = (who.display_name, where.id, count, word)
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("sure?", view=Confirm())

    async with start_bot(cogs=NO_COGS) as bot:
        bot.tree.add_command(ask)
        await bot.tree.sync()
        choices = await (
            await fake_discord.interact(small_server.general, small_server.alice, "ask", {"word": "al"}, focused="word")
        ).choices()
        assert choices == [{"name": "alpha", "value": "alpha"}]

        handle = await fake_discord.interact(
            small_server.general,
            small_server.alice,
            "ask",
            {"who": small_server.bob, "where": small_server.general, "count": 3, "word": "beta"},
        )
        reply = await handle.reply()
        assert calls["ask"] == ("Bobby", small_server.general, 3, "beta")
        assert reply.content == "sure?" and not reply.ephemeral
        button_message = handle.messages[-1]
        assert button_message["components"][0]["components"][0]["custom_id"] == "confirm:yes"

        click = await fake_discord.click(button_message, small_server.bob, "confirm:yes")
        assert (await click.response())["type"] == 7
        assert calls["clicked_by"] == small_server.bob
        assert fake_discord.messages[small_server.general][int(button_message["id"])]["content"] == "confirmed"

        with pytest.raises(LookupError):
            await fake_discord.interact(small_server.general, small_server.alice, "ask", {"who": small_server.bob})


async def test_a_second_bot_instance_connects_after_the_first_closes(fake_discord, small_server, bot_settings):
    for _ in range(2):
        async with running_bot(bot_settings, fake_discord, cogs=NO_COGS) as bot:
            assert bot.get_guild(small_server.guild) is not None
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert len([s for s in fake_discord.sessions if s.identify]) == 2


async def test_a_reconnect_request_resumes_the_session_and_events_keep_flowing(fake_discord, small_server, start_bot):
    async with start_bot(cogs=NO_COGS) as bot:
        received = []
        bot.add_listener(_collect(received), "on_message")
        await fake_discord.request_reconnect()
        await fake_discord.wait_until(lambda: fake_discord.resumes == 1, what="RESUME")
        await fake_discord.send_message(small_server.general, small_server.alice, "still there?")
        await eventually(lambda: received)
        assert len([s for s in fake_discord.sessions if s.identify]) == 1  # resumed, not identified again


async def test_a_refused_intent_stops_the_bot_with_discords_error(small_server, fake_discord, bot_settings):
    fake_discord.identify_close_code = 4014
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with running_bot(dataclasses.replace(bot_settings), fake_discord, cogs=NO_COGS):
            pass


async def test_the_yielding_gateway_connects_receives_and_resumes(fake_discord, small_server, start_bot):
    install_yielding_gateway(every=3)
    try:
        async with start_bot(cogs=NO_COGS) as bot:
            assert isinstance(bot.ws, YieldingWebSocket)
            received = []
            bot.add_listener(_collect(received), "on_message")
            for i in range(10):
                await fake_discord.send_message(small_server.general, small_server.alice, f"m{i}")
            await fake_discord.request_reconnect()
            await fake_discord.wait_until(lambda: fake_discord.resumes == 1, what="RESUME")
            await fake_discord.send_message(small_server.general, small_server.alice, "after resume")
            await eventually(lambda: len(received) == 11)
            assert [m.content for m in received] == [f"m{i}" for i in range(10)] + ["after resume"]
            assert isinstance(bot.ws, YieldingWebSocket)
    finally:
        uninstall_yielding_gateway()
    assert discord.client.DiscordWebSocket is discord.gateway.DiscordWebSocket
