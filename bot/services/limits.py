"""Rate limits for commands that run a model: one cooldown per user (SMOLCORD_USER_COOLDOWN_S) and one per guild."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from bot.client import Smolcord

T = TypeVar("T")

# A whole guild shares one CPU: at most this many model commands per minute, whoever sends them.
GUILD_MODEL_COMMANDS_PER_MINUTE = 12


def _user_cooldown_s(interaction: discord.Interaction[Smolcord]) -> float:
    return interaction.client.settings.user_cooldown_s


def user_cooldown(interaction: discord.Interaction[Smolcord]) -> app_commands.Cooldown | None:
    seconds = _user_cooldown_s(interaction)
    if seconds <= 0:
        return None
    return app_commands.Cooldown(1, seconds)


def guild_cooldown(interaction: discord.Interaction[Smolcord]) -> app_commands.Cooldown | None:
    """SMOLCORD_USER_COOLDOWN_S=0 (tests, single-user setups) turns the guild limit off as well."""
    if _user_cooldown_s(interaction) <= 0:
        return None
    return app_commands.Cooldown(GUILD_MODEL_COMMANDS_PER_MINUTE, 60.0)


def model_command_limits() -> Callable[[T], T]:
    """Decorate a command that runs a model: per-user, then per-guild cooldown (CommandOnCooldown when hit)."""
    per_user = app_commands.checks.dynamic_cooldown(user_cooldown, key=lambda i: ("user", i.guild_id, i.user.id))
    per_guild = app_commands.checks.dynamic_cooldown(guild_cooldown, key=lambda i: ("guild", i.guild_id))

    def decorate(command: T) -> T:
        # Checks run in the order they were added: the user's own limit first, so one user's flood
        # is refused before it uses up the guild's share.
        return per_guild(per_user(command))

    return decorate
