"""The one error handler for slash commands and their buttons: a short private line for the user, a log line for the admin."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import Smolcord
from bot.services.errors import describe_error

log = logging.getLogger(__name__)


def _origin(interaction: discord.Interaction) -> str:
    command = interaction.command.qualified_name if interaction.command is not None else "component"
    return f"/{command} by user {interaction.user.id} in guild {interaction.guild_id} channel {interaction.channel_id}"


async def tell_user(interaction: discord.Interaction, message: str) -> None:
    """Answer privately, whether or not the interaction was already answered or deferred."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(message, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as failure:  # expired interaction, Discord outage: nothing left to tell
        log.warning("could not deliver an error reply for %s: %s", _origin(interaction), failure)


async def handle_interaction_error(interaction: discord.Interaction, error: BaseException) -> None:
    report = describe_error(error)
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if report.traceback:
        log.error("%s failed", _origin(interaction), exc_info=original)
    else:
        log.log(report.level, "%s refused: %s: %s", _origin(interaction), type(original).__name__, " ".join(str(original).split())[:300])
    await tell_user(interaction, report.message)


class ErrorHandler(commands.Cog):
    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        self._previous = bot.tree.on_error

    async def cog_load(self) -> None:
        self.bot.tree.on_error = handle_interaction_error  # type: ignore[assignment]

    async def cog_unload(self) -> None:
        self.bot.tree.on_error = self._previous  # type: ignore[assignment]


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(ErrorHandler(bot))
