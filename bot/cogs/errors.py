"""The one error handler for slash commands and their buttons: a short private line for the user, a log line for the admin."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import discord
from discord import app_commands
from discord.ext import commands

from agents.runtime import (
    ModelBusyError,
    ModelError,
    ModelNotDownloadedError,
    ModelTimeoutError,
)
from bot.client import Smolcord
from bot.services.errors import UserFacingError
from sml_config import UnknownModelError

log = logging.getLogger(__name__)

UNEXPECTED = "Something went wrong on my side; the bot's admin can find the details in its log."
PERMISSION_NAMES = {"manage_guild": "Manage Server", "manage_messages": "Manage Messages"}


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What the user is told, and how the admin's log records it (a traceback only for the unexpected)."""

    message: str
    level: int = logging.INFO
    traceback: bool = False


def _permission_list(names: list[str]) -> str:
    return ", ".join(PERMISSION_NAMES.get(n, n.replace("_", " ").title()) for n in names)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return (text[:1].upper() + text[1:]) if text else text


def describe_error(error: BaseException) -> ErrorReport:
    """Map a failure to its report. Commands raise; only this function decides what anyone sees."""
    if isinstance(error, app_commands.CommandInvokeError) and error.original is not None:
        error = error.original
    if isinstance(error, app_commands.CommandOnCooldown):
        return ErrorReport(f"Slow down: you can use this again in {max(1, round(error.retry_after))} s.")
    if isinstance(error, app_commands.MissingPermissions):
        return ErrorReport(f"You need the {_permission_list(error.missing_permissions)} permission for this.")
    if isinstance(error, app_commands.BotMissingPermissions):
        return ErrorReport(f"I need the {_permission_list(error.missing_permissions)} permission here.", logging.WARNING)
    if isinstance(error, app_commands.NoPrivateMessage):
        return ErrorReport("This command works in servers only.")
    if isinstance(error, app_commands.CheckFailure):
        return ErrorReport("You can't use this command here.")
    if isinstance(error, app_commands.TransformerError):
        return ErrorReport(f"That {error.type.name} option is not valid here.")
    if isinstance(error, UserFacingError):
        return ErrorReport(_sentence(str(error)))
    if isinstance(error, UnknownModelError):
        return ErrorReport(_sentence(str(error)))
    if isinstance(error, ModelBusyError):
        return ErrorReport(
            f"The models are busy: your request would be number {error.position} in the queue "
            f"(at most {error.limit} wait). Try again in a minute.",
            logging.WARNING,
        )
    if isinstance(error, ModelNotDownloadedError):
        return ErrorReport(f"That model is not available yet: {str(error)}.", logging.WARNING)
    if isinstance(error, ModelTimeoutError):
        return ErrorReport(_sentence(str(error)) + ".", logging.WARNING)
    if isinstance(error, ModelError):
        return ErrorReport(f"The model could not run: {str(error)}.", logging.ERROR)
    if isinstance(error, discord.Forbidden):
        return ErrorReport("Discord did not let me do that here (a missing permission).", logging.WARNING)
    return ErrorReport(UNEXPECTED, logging.ERROR, traceback=True)


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
