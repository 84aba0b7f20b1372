"""Slash-command option types and autocompletes shared by the command cogs."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.client import Smolcord
from bot.services.windows import window_suggestions

MESSAGE_CHANNEL_TYPES = [
    discord.ChannelType.text,
    discord.ChannelType.news,
    discord.ChannelType.public_thread,  # also forum posts
    discord.ChannelType.private_thread,
    discord.ChannelType.news_thread,
]


class ChannelId(app_commands.Transformer):
    """A text channel, thread or forum post option, handed to the command as a bare id.

    The command looks the channel up itself, so a channel that does not exist, is not cached, or is
    hidden from the user all take the same path and get the same reply (nothing is revealed).
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return list(MESSAGE_CHANNEL_TYPES)

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> int:
        return int(value.id)  # an app_commands channel: a GuildChannel or AppCommandChannel, both with .id


def model_choices(interaction: discord.Interaction[Smolcord], task: str, current: str) -> list[app_commands.Choice[str]]:
    typed = current.strip().lower()
    choices = []
    for spec in interaction.client.models.registry.list(task):
        if typed and typed not in spec.key.lower():
            continue
        size = f"{spec.params_m:g}M params" if spec.params_m else "no weights"
        label = f"{spec.key} ({size}) {spec.description}".strip()
        choices.append(app_commands.Choice(name=label[:100], value=spec.key))
    return choices[:25]


async def summarization_model_autocomplete(interaction: discord.Interaction[Smolcord], current: str) -> list[app_commands.Choice[str]]:
    """Summarization models, then the chat models the summarizer can prompt to summarize."""
    registry = interaction.client.models.registry
    chat = [spec.key for spec in registry.list("text_generation") if spec.family == "causal"]
    choices = model_choices(interaction, "summarization", current)
    typed = current.strip().lower()
    for key in chat:
        if not typed or typed in key.lower():
            choices.append(app_commands.Choice(name=f"{key} (chat model, prompted to summarize)"[:100], value=key))
    return choices[:25]


async def window_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=text, value=text) for text in window_suggestions(current)]
