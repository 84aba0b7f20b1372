"""/summarize: a summary of recent messages in a channel the user can read, with jump links to the sources."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Smolcord
from bot.commands import summaries
from bot.services.access import interaction_context
from bot.services.limits import model_command_limits
from bot.services.options import (
    ChannelId,
    summarization_model_autocomplete,
    window_autocomplete,
)
from bot.services.paginator import send_pages


class Summaries(commands.Cog):
    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot

    @app_commands.command(name="summarize", description="Summarize recent messages of a channel you can read")
    @app_commands.guild_only()
    @app_commands.describe(
        channel="Channel, thread or forum post to summarize (default: this one)",
        window='Which messages: "last 50", "since 2h" or "since my last message" (default: last 100)',
        model="Summarization model (default: this server's choice)",
        private="Only you see the summary",
    )
    @app_commands.autocomplete(window=window_autocomplete, model=summarization_model_autocomplete)
    @model_command_limits()
    async def summarize(
        self,
        interaction: discord.Interaction,
        channel: app_commands.Transform[int, ChannelId] | None = None,
        window: app_commands.Range[str, 1, 100] | None = None,
        model: app_commands.Range[str, 1, 100] | None = None,
        private: bool = False,
    ) -> None:
        # Refusals come before the command accepts (and we defer), so they stay private.
        result = await summaries.summarize(
            self.bot,
            interaction_context(interaction),
            channel=channel,
            window=window,
            model=model,
            accepted=lambda: interaction.response.defer(ephemeral=private, thinking=True),
        )
        await send_pages(interaction, summaries.summary_pages(result), ephemeral=private)


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Summaries(bot))
