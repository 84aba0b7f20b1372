"""/model switch, list and status: choosing this server's models (Manage Server only, enforced in code)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

import sml_config
from bot.client import Smolcord
from bot.commands import models as model_commands
from bot.services.access import interaction_context
from bot.services.limits import model_command_limits
from bot.services.models import TASK_LABELS
from bot.services.options import model_choices

TASK_CHOICES = [app_commands.Choice(name=f"{task} ({TASK_LABELS[task]})", value=task) for task in sml_config.TASKS]


async def key_autocomplete(interaction: discord.Interaction[Smolcord], current: str) -> list[app_commands.Choice[str]]:
    task = getattr(interaction.namespace, "task", None) or "summarization"
    if task not in sml_config.TASKS:
        return []
    return model_choices(interaction, task, current)


class Admin(commands.Cog):
    model = app_commands.Group(
        name="model",
        description="Choose and inspect this server's models (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot

    @model.command(name="switch", description="Load a model and make it this server's model for a task")
    @app_commands.describe(task="What the model is for", key="The model's key (see /model list)")
    @app_commands.choices(task=TASK_CHOICES)
    @app_commands.autocomplete(key=key_autocomplete)
    @model_command_limits()
    async def switch(self, interaction: discord.Interaction, task: str, key: app_commands.Range[str, 1, 100]) -> None:
        result = await model_commands.switch_model(
            self.bot,
            interaction_context(interaction),
            task=task,
            key=key,
            accepted=lambda: interaction.response.defer(ephemeral=True, thinking=True),
        )
        await interaction.followup.send(model_commands.switch_text(result), ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @model.command(name="list", description="Every configured model: size, which is active here, which are downloaded")
    async def list_models(self, interaction: discord.Interaction) -> None:
        result = await model_commands.list_models(self.bot, interaction_context(interaction))
        await interaction.response.send_message(embed=model_commands.model_list_embed(result), ephemeral=True)

    @model.command(name="status", description="Loaded models, their memory, and the inference queue")
    async def status(self, interaction: discord.Interaction) -> None:
        result = await model_commands.model_status(self.bot, interaction_context(interaction))
        await interaction.response.send_message(embed=model_commands.model_status_embed(result), ephemeral=True)


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Admin(bot))
