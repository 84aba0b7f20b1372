"""Rate limits for commands that run a model: one cooldown per user and one per guild, both from the settings."""

from __future__ import annotations

from typing import Callable, TypeVar

import discord
from discord import app_commands

T = TypeVar("T")

# A whole guild shares one CPU: at most this many model commands per minute, whoever sends them.
GUILD_MODEL_COMMANDS_PER_MINUTE = 12


def _settings(interaction: discord.Interaction):
    return getattr(interaction.client, "settings", None)


def user_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    seconds = getattr(_settings(interaction), "user_cooldown_s", 10.0)
    if seconds <= 0:
        return None
    return app_commands.Cooldown(1, seconds)


def guild_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
    """SMOLCORD_USER_COOLDOWN_S=0 (tests, single-user setups) turns the guild limit off as well."""
    settings = _settings(interaction)
    per_minute = getattr(settings, "guild_model_commands_per_minute", GUILD_MODEL_COMMANDS_PER_MINUTE)
    if per_minute <= 0 or getattr(settings, "user_cooldown_s", 10.0) <= 0:
        return None
    return app_commands.Cooldown(per_minute, 60.0)


def model_command_limits() -> Callable[[T], T]:
    """Decorate a command that runs a model: per-user, then per-guild cooldown (CommandOnCooldown when hit)."""
    per_user = app_commands.checks.dynamic_cooldown(user_cooldown, key=lambda i: ("user", i.guild_id, i.user.id))
    per_guild = app_commands.checks.dynamic_cooldown(guild_cooldown, key=lambda i: ("guild", i.guild_id))

    def decorate(command: T) -> T:
        # Checks run in the order they were added: the user's own limit first, so one user's flood
        # is refused before it uses up the guild's share.
        return per_guild(per_user(command))

    return decorate
