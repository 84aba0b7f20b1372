"""/model switch, list and status: choosing this server's models (Manage Server only, enforced in code)."""

from __future__ import annotations

import asyncio

import discord
from discord import app_commands
from discord.ext import commands

import sml_config
from agents.loading import is_downloaded
from bot.services.access import require_manage_guild
from bot.services.limits import model_command_limits
from bot.services.models import TASK_LABELS, active_model_keys, manager_for, registry_of, switch_model
from bot.services.options import model_choices
from bot.services.render import safe_text

TASK_CHOICES = [app_commands.Choice(name=f"{task} ({TASK_LABELS[task]})", value=task) for task in sml_config.TASKS]


async def key_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    task = getattr(interaction.namespace, "task", None) or "summarization"
    if task not in sml_config.TASKS:
        return []
    return model_choices(interaction, task, current)


def _size(spec: sml_config.ModelSpec) -> str:
    if not spec.needs_weights:
        return "no weights"
    parts = [f"{spec.params_m:g}M params"] if spec.params_m else []
    if spec.disk_mb:
        parts.append(f"{spec.disk_mb:,.0f} MB on disk")
    return ", ".join(parts) or "size unknown"


class Admin(commands.Cog):
    model = app_commands.Group(
        name="model",
        description="Choose and inspect this server's models (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @model.command(name="switch", description="Load a model and make it this server's model for a task")
    @app_commands.describe(task="What the model is for", key="The model's key (see /model list)")
    @app_commands.choices(task=TASK_CHOICES)
    @app_commands.autocomplete(key=key_autocomplete)
    @model_command_limits()
    async def switch(self, interaction: discord.Interaction, task: str, key: app_commands.Range[str, 1, 100]) -> None:
        require_manage_guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await switch_model(
            self.bot.sessions,  # type: ignore[attr-defined]
            manager_for(self.bot),
            guild_id=interaction.guild_id,  # type: ignore[arg-type]
            user_id=interaction.user.id,
            task=task,
            key=key,
        )
        memory = f", {result.memory_mb:,.0f} MB in memory" if result.memory_mb else ""
        if result.old_key == result.new_key:
            text = f"`{result.new_key}` is loaded and stays this server's {TASK_LABELS[result.task]} model{memory}."
        else:
            text = f"Switched {TASK_LABELS[result.task]} from `{result.old_key}` to `{result.new_key}` (loaded and warmed{memory})."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @model.command(name="list", description="Every configured model: size, which is active here, which are downloaded")
    async def list_models(self, interaction: discord.Interaction) -> None:
        require_manage_guild(interaction)
        manager = manager_for(self.bot)
        registry = registry_of(manager)
        async with self.bot.sessions() as session:  # type: ignore[attr-defined]
            active = await active_model_keys(session, interaction.guild_id, registry)
        specs = registry.list()
        # Looking into the hub cache touches the disk: keep it off the event loop.
        downloaded = await asyncio.to_thread(lambda: {(s.task, s.key): is_downloaded(s, manager.cache_dir) for s in specs})
        embed = discord.Embed(title="Models", colour=discord.Colour.blurple())
        for task in sml_config.TASKS:
            lines = []
            for spec in (s for s in specs if s.task == task):
                flags = []
                if spec.key == active[task]:
                    flags.append("**active here**")
                flags.append("downloaded" if downloaded[(task, spec.key)] else f"not downloaded (`smolcord models pull {spec.key}`)")
                lines.append(f"`{safe_text(spec.key, 60)}` {_size(spec)} · {' · '.join(flags)}")
            value = "\n".join(lines) or "none configured"
            embed.add_field(name=f"{task} ({TASK_LABELS[task]})", value=value[:1024], inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @model.command(name="status", description="Loaded models, their memory, and the inference queue")
    async def status(self, interaction: discord.Interaction) -> None:
        require_manage_guild(interaction)
        manager = manager_for(self.bot)
        rows = manager.status()
        lines = [
            f"`{safe_text(row['key'], 60)}` ({row['task']}) {row['state']}"
            f"{' on ' + row['backend'] if row.get('backend') else ''}"
            f"{', int8' if row.get('quantized') else ''}"
            f"{', ' + row['device'] if row.get('device') else ''}"
            f", {row.get('memory_mb', 0):,.0f} MB, {row.get('pending', 0)} pending"
            for row in rows
        ]
        used = sum(row.get("memory_mb", 0) or 0 for row in rows)
        embed = discord.Embed(title="Model status", colour=discord.Colour.blurple())
        embed.add_field(name="Loaded", value=("\n".join(lines) or "no model loaded yet")[:1024], inline=False)
        embed.add_field(name="Memory", value=f"{used:,.0f} MB of {manager.memory_budget_mb:,.0f} MB budget", inline=False)
        embed.add_field(name="Queue", value=f"{manager.pending()} of {manager.queue_size} inference jobs pending", inline=False)
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Admin(bot))
