"""/privacy optout, optin and forget: each member decides whether the bot stores their messages in a server."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Smolcord
from bot.commands import privacy
from bot.services.access import interaction_context


@app_commands.guild_only()
class Privacy(commands.GroupCog, group_name="privacy", group_description="Choose what smolcord stores about you in this server"):
    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="optout", description="Stop storing my messages in this server and erase the stored ones")
    async def optout(self, interaction: discord.Interaction) -> None:
        # Erasing can take longer than the 3 seconds Discord gives for an answer.
        result = await privacy.opt_out(
            self.bot, interaction_context(interaction), accepted=lambda: interaction.response.defer(ephemeral=True, thinking=True)
        )
        await interaction.followup.send(privacy.opt_out_text(result), ephemeral=True)

    @app_commands.command(name="optin", description="Store my messages in this server again (from now on)")
    async def optin(self, interaction: discord.Interaction) -> None:
        result = await privacy.opt_in(self.bot, interaction_context(interaction))
        await interaction.response.send_message(privacy.opt_in_text(result), ephemeral=True)

    @app_commands.command(name="forget", description="Erase my stored messages in this server (new ones are still stored)")
    async def forget(self, interaction: discord.Interaction) -> None:
        result = await privacy.forget(
            self.bot, interaction_context(interaction), accepted=lambda: interaction.response.defer(ephemeral=True, thinking=True)
        )
        await interaction.followup.send(privacy.forget_text(result), ephemeral=True)


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Privacy(bot))
