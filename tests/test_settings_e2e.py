"""/settings end to end: admins set the timezone, retention and chat prompt; others are refused in code."""

from __future__ import annotations

import dataclasses

import discord

from bot.services import guild_settings
from bot.storage.tables import GuildSettings

COGS = ("errors", "settings")
MANAGE_GUILD = discord.Permissions(manage_guild=True).value


def no_cooldown(settings):
    return dataclasses.replace(settings, user_cooldown_s=0.0)


async def stored(bot, guild_id) -> GuildSettings | None:
    async with bot.sessions() as session:
        return await session.get(GuildSettings, guild_id)


async def test_settings_group_is_for_managers_only(fake_discord, small_server, start_bot):
    async with start_bot(cogs=COGS):
        command = fake_discord.global_commands["settings"]
        assert int(command["default_member_permissions"]) == MANAGE_GUILD
        assert sorted(o["name"] for o in command["options"]) == ["chat-prompt", "retention", "show", "timezone"]


async def test_admin_sets_timezone_retention_and_chat_prompt(fake_discord, small_server, start_bot, bot_settings):
    owner, general = small_server.owner, small_server.general
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        reply = await (await fake_discord.interact(general, owner, "settings timezone", {"name": "America/New_York"})).reply()
        assert reply.ephemeral and "America/New_York" in reply.content
        reply = await (await fake_discord.interact(general, owner, "settings retention", {"days": 30})).reply()
        assert "30 days" in reply.content
        reply = await (
            await fake_discord.interact(general, owner, "settings chat-prompt", {"prompt": "You help the Rust study group."})
        ).reply()
        assert "now use this prompt" in reply.content
        row = await stored(bot, small_server.guild)
        assert (row.timezone, row.retention_days, row.chat_system_prompt) == ("America/New_York", 30, "You help the Rust study group.")

        reply = await (await fake_discord.interact(general, owner, "settings show")).reply()
        assert "America/New_York" in reply.content and "30 days" in reply.content and "Rust study group" in reply.content

        reply = await (await fake_discord.interact(general, owner, "settings retention")).reply()
        assert "the bot's default" in reply.content
        assert (await stored(bot, small_server.guild)).retention_days is None


async def test_invalid_timezone_gets_one_line_and_changes_nothing(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        reply = await (
            await fake_discord.interact(small_server.general, small_server.owner, "settings timezone", {"name": "Mars/Olympus"})
        ).reply()
        assert reply.ephemeral and reply.content.startswith("'Mars/Olympus' is not a timezone: use an IANA name")
        assert await stored(bot, small_server.guild) is None


async def test_members_without_manage_server_are_refused_in_code(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS, settings=no_cooldown(bot_settings)) as bot:
        reply = await (await fake_discord.interact(small_server.general, small_server.alice, "settings retention", {"days": 1})).reply()
        assert reply.ephemeral and "Manage Server" in reply.content
        assert await stored(bot, small_server.guild) is None


def test_timezone_validation_accepts_iana_names_only():
    assert guild_settings.valid_timezone(" Europe/Berlin ") == "Europe/Berlin"
    for bad in ("CEST+2", "../etc/passwd", ""):
        try:
            guild_settings.valid_timezone(bad)
        except guild_settings.InvalidInput:
            continue
        raise AssertionError(f"{bad!r} accepted")
