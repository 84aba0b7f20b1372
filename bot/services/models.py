"""Each guild's choice of model per task: reading it, switching it (load and warm first), and the audit trail."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import sml_config
from agents.loading import ModelError
from agents.runtime import ModelManager
from bot.services.errors import InvalidInput, UserFacingError
from bot.storage.messages import upsert_guild_if_missing
from bot.storage.tables import GuildModel, ModelSwitchAudit

log = logging.getLogger(__name__)

INTERACTIVE_PROFILE = "fast"

TASK_LABELS = {
    "summarization": "summaries and digests",
    "text_generation": "chat replies",
    "classification": "classification",
    "embedding": "embeddings",
}


class ModelSwitchFailed(UserFacingError):
    """The new model could not be loaded; the guild keeps its previous model."""


def resolve_task(task: str, registry: sml_config.Registry | None = None) -> str:
    try:
        return (registry or sml_config.current_registry()).task_name(task)
    except sml_config.UnknownModelError as error:
        raise InvalidInput(_sentence(str(error))) from None


def resolve_spec(task: str, key: str, registry: sml_config.Registry | None = None) -> sml_config.ModelSpec:
    """The spec of `key` for `task`; InvalidInput listing the valid keys when unknown."""
    try:
        return registry.spec(task, key) if registry is not None else sml_config.get_model_spec(task, key)
    except sml_config.UnknownModelError as error:
        raise InvalidInput(_sentence(str(error))) from None


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def active_model_key(session: AsyncSession, guild_id: int | None, task: str, registry: sml_config.Registry | None = None) -> str:
    """The guild's chosen key for `task`, or the registry default (also when the chosen key left the registry)."""
    registry = registry or sml_config.current_registry()
    task = resolve_task(task, registry)
    if guild_id is not None:
        chosen = await session.scalar(select(GuildModel.model_key).where(GuildModel.guild_id == guild_id, GuildModel.task == task))
        if chosen is not None:
            try:
                return registry.spec(task, chosen).key
            except sml_config.UnknownModelError:
                log.warning("guild %s chose %s model %r, which is no longer configured; using the default", guild_id, task, chosen)
    return registry.default_key(task)


async def active_model_keys(session: AsyncSession, guild_id: int | None, registry: sml_config.Registry | None = None) -> dict[str, str]:
    return {task: await active_model_key(session, guild_id, task, registry) for task in sml_config.TASKS}


@dataclass(frozen=True, slots=True)
class SwitchResult:
    task: str
    old_key: str
    new_key: str
    memory_mb: float | None


async def _audit(
    sessions: async_sessionmaker[AsyncSession],
    *,
    guild_id: int,
    user_id: int,
    task: str,
    old_key: str | None,
    new_key: str,
    error: str | None,
) -> None:
    async with sessions.begin() as session:
        session.add(
            ModelSwitchAudit(
                guild_id=guild_id,
                user_id=user_id,
                task=task,
                old_key=old_key,
                new_key=new_key[:100],
                succeeded=error is None,
                error=error,
            )
        )


async def switch_model(
    sessions: async_sessionmaker[AsyncSession],
    manager: ModelManager,
    *,
    guild_id: int,
    user_id: int,
    task: str,
    key: str,
) -> SwitchResult:
    """Load and warm `key` through the ModelManager, then make it the guild's model for `task`.

    Every attempt is audited. When the key is unknown or loading fails, the previous choice stays
    and InvalidInput / ModelSwitchFailed carries the one line for the user.
    """
    registry = manager.registry
    task = resolve_task(task, registry)
    async with sessions() as session:
        old_key = await active_model_key(session, guild_id, task, registry)
    try:
        spec = resolve_spec(task, key, registry)
    except InvalidInput as error:
        await _audit(sessions, guild_id=guild_id, user_id=user_id, task=task, old_key=old_key, new_key=key, error=str(error))
        raise
    new_key = spec.key

    memory_mb: float | None = None
    if spec.needs_weights:
        try:
            # Interactive commands run the "fast" variant: warm exactly that one.
            loaded = await manager.get(task, new_key, profile=INTERACTIVE_PROFILE)
            memory_mb = loaded.memory_mb
        except Exception as error:  # any load failure leaves the old choice in place
            if isinstance(error, ModelError):
                reason = " ".join(str(error).split()) or type(error).__name__
            else:  # not written for users: the details go to the log only
                reason = "it failed to load (the bot's log has the details)."
            log.warning("guild %s: switching %s to %s failed: %s", guild_id, task, new_key, reason, exc_info=error)
            await _audit(sessions, guild_id=guild_id, user_id=user_id, task=task, old_key=old_key, new_key=new_key, error=reason)
            reason = reason[:300].rstrip(".") + "."
            raise ModelSwitchFailed(f"Could not load `{new_key}`: {reason} Still using `{old_key}`.") from error

    async with sessions.begin() as session:
        await upsert_guild_if_missing(session, guild_id)
        choice = await session.get(GuildModel, (guild_id, task))
        if choice is None:
            session.add(GuildModel(guild_id=guild_id, task=task, model_key=new_key, updated_by=user_id))
        else:
            choice.model_key, choice.updated_by, choice.updated_at = new_key, user_id, func.now()
        session.add(
            ModelSwitchAudit(guild_id=guild_id, user_id=user_id, task=task, old_key=old_key, new_key=new_key, succeeded=True, error=None)
        )
    return SwitchResult(task=task, old_key=old_key, new_key=new_key, memory_mb=memory_mb)
