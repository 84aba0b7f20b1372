"""The model commands (Manage Server): switch this server's model for a task, list the models, show what is loaded.

- `switch_model(services, context, task=, key=)` -> `SwitchResult`; `switch_text(result)`
- `list_models(services, context)` -> `ModelList`; `model_list_embed(result)`
- `model_status(services, context)` -> `ModelStatus`; `model_status_embed(result)`
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import discord

import sml_config
from agents.loading import is_downloaded
from bot.commands.context import Accepted, CommandContext, Services, accept
from bot.services import models as model_choice
from bot.services.models import TASK_LABELS, SwitchResult, active_model_keys
from bot.services.render import safe_text


async def switch_model(
    services: Services, context: CommandContext, *, task: str, key: str, accepted: Accepted | None = None
) -> SwitchResult:
    """Load and warm model `key` for `task` ("summarization", "text_generation", ...), then make it this
    server's model for that task; every attempt is audited. Refused: no Manage Server (MissingManageServer);
    an unknown task or key (InvalidInput); a model that fails to load (ModelSwitchFailed: the old one stays).
    """
    context.require_manage_guild()
    await accept(accepted)
    return await model_choice.switch_model(
        services.sessions, services.models, guild_id=context.guild_id, user_id=context.user_id, task=task, key=key
    )


def switch_text(result: SwitchResult) -> str:
    memory = f", {result.memory_mb:,.0f} MB in memory" if result.memory_mb else ""
    if result.old_key == result.new_key:
        return f"`{result.new_key}` is loaded and stays this server's {TASK_LABELS[result.task]} model{memory}."
    return f"Switched {TASK_LABELS[result.task]} from `{result.old_key}` to `{result.new_key}` (loaded and warmed{memory})."


@dataclass(frozen=True, slots=True)
class ModelEntry:
    spec: sml_config.ModelSpec
    active: bool  # this server's model for its task
    downloaded: bool


@dataclass(frozen=True, slots=True)
class ModelList:
    entries: dict[str, list[ModelEntry]]  # per task, in sml_config.TASKS order


async def list_models(services: Services, context: CommandContext) -> ModelList:
    """Every configured model per task, which one is active in this server, and which are downloaded.
    Refused: no Manage Server (MissingManageServer)."""
    context.require_manage_guild()
    manager = services.models
    registry = manager.registry
    async with services.sessions() as session:
        active = await active_model_keys(session, context.guild_id, registry)
    specs = registry.list()
    # Looking into the hub cache touches the disk: keep it off the event loop.
    downloaded = await asyncio.to_thread(lambda: {(s.task, s.key): is_downloaded(s, manager.cache_dir) for s in specs})
    return ModelList(
        entries={
            task: [ModelEntry(s, s.key == active[task], downloaded[(task, s.key)]) for s in specs if s.task == task]
            for task in sml_config.TASKS
        }
    )


def _size(spec: sml_config.ModelSpec) -> str:
    if not spec.needs_weights:
        return "no weights"
    parts = [f"{spec.params_m:g}M params"] if spec.params_m else []
    if spec.disk_mb:
        parts.append(f"{spec.disk_mb:,.0f} MB on disk")
    return ", ".join(parts) or "size unknown"


def model_list_embed(result: ModelList) -> discord.Embed:
    embed = discord.Embed(title="Models", colour=discord.Colour.blurple())
    for task, entries in result.entries.items():
        lines = []
        for entry in entries:
            spec = entry.spec
            flags = ["**active here**"] if entry.active else []
            flags.append("downloaded" if entry.downloaded else f"not downloaded (`smolcord models pull {spec.key}`)")
            lines.append(f"`{safe_text(spec.key, 60)}` {_size(spec)} · {' · '.join(flags)}")
        value = "\n".join(lines) or "none configured"
        embed.add_field(name=f"{task} ({TASK_LABELS[task]})", value=value[:1024], inline=False)
    return embed


@dataclass(frozen=True, slots=True)
class ModelStatus:
    loaded: list[dict[str, Any]]  # ModelManager.status() rows
    memory_budget_mb: float
    pending: int
    queue_size: int

    @property
    def memory_used_mb(self) -> float:
        return sum(row.get("memory_mb", 0) or 0 for row in self.loaded)


async def model_status(services: Services, context: CommandContext) -> ModelStatus:
    """The loaded models with their memory, and the inference queue. Refused: no Manage Server."""
    context.require_manage_guild()
    manager = services.models
    return ModelStatus(
        loaded=manager.status(), memory_budget_mb=manager.memory_budget_mb, pending=manager.pending(), queue_size=manager.queue_size
    )


def model_status_embed(result: ModelStatus) -> discord.Embed:
    lines = [
        f"`{safe_text(row['key'], 60)}` ({row['task']}) {row['state']}"
        f"{', int8' if row.get('quantized') else ''}"
        f"{', ' + row['device'] if row.get('device') else ''}"
        f", {row.get('memory_mb', 0):,.0f} MB, {row.get('pending', 0)} pending"
        for row in result.loaded
    ]
    embed = discord.Embed(title="Model status", colour=discord.Colour.blurple())
    embed.add_field(name="Loaded", value=("\n".join(lines) or "no model loaded yet")[:1024], inline=False)
    embed.add_field(name="Memory", value=f"{result.memory_used_mb:,.0f} MB of {result.memory_budget_mb:,.0f} MB budget", inline=False)
    embed.add_field(name="Queue", value=f"{result.pending} of {result.queue_size} inference jobs pending", inline=False)
    return embed
