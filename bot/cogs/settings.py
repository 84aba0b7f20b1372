"""/settings: a server's timezone, message retention and chat persona (Manage Server, enforced in code)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Smolcord
from bot.commands import settings as settings_commands
from bot.services import guild_settings
from bot.services.access import interaction_context


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ServerSettings(commands.GroupCog, group_name="settings", group_description="This server's smolcord settings (Manage Server)"):
    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        super().__init__()

    async def _reply(self, interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @app_commands.command(name="show", description="Show this server's timezone, retention and chat prompt")
    async def show(self, interaction: discord.Interaction) -> None:
        result = await settings_commands.show_settings(self.bot, interaction_context(interaction))
        await self._reply(interaction, settings_commands.show_text(result))

    @app_commands.command(name="timezone", description="Set the IANA timezone used for deadlines like 'by Friday'")
    @app_commands.describe(name="An IANA timezone, e.g. Europe/Berlin or America/New_York")
    async def timezone(self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 64]) -> None:
        result = await settings_commands.set_timezone(self.bot, interaction_context(interaction), name=name)
        await self._reply(interaction, settings_commands.timezone_text(result))

    @app_commands.command(name="retention", description="How long to keep stored messages (0 = forever; empty = the bot's default)")
    @app_commands.describe(days="Days to keep messages; 0 keeps them forever; leave empty for the bot's default")
    async def retention(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 0, guild_settings.MAX_RETENTION_DAYS] | None = None
    ) -> None:
        result = await settings_commands.set_retention(self.bot, interaction_context(interaction), days=days)
        await self._reply(interaction, settings_commands.retention_text(result))

    @app_commands.command(name="chat-prompt", description="Describe the bot and this server for chat replies (empty: the built-in persona)")
    @app_commands.describe(prompt="Who the bot is here and how it should answer; leave empty to reset")
    async def chat_prompt(
        self, interaction: discord.Interaction, prompt: app_commands.Range[str, 1, guild_settings.MAX_PROMPT_CHARS] | None = None
    ) -> None:
        result = await settings_commands.set_chat_prompt(self.bot, interaction_context(interaction), prompt=prompt)
        await self._reply(interaction, settings_commands.chat_prompt_text(result))


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(ServerSettings(bot))
