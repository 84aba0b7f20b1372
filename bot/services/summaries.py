"""Summarizing a window of one channel's stored messages with the guild's (or the asked-for) model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import sml_config
from agents.runtime import ModelManager
from agents.summarize import (
    EmptyWindowError,
    SummarizeError,
    Summary,
    resolve_model,
    summarize_messages,
)
from bot.services.errors import EmptyWindow, InvalidInput
from bot.services.models import active_model_key
from bot.services.windows import Window, load_messages
from bot.storage.summaries import DatabaseChunkCache

TASK = "summarization"
INTERACTIVE_PROFILE = "fast"


def chunk_cache(sessions: async_sessionmaker[AsyncSession]) -> DatabaseChunkCache:
    """The database chunk cache, so a window summarized again only runs the model on new chunks."""
    return DatabaseChunkCache(sessions)


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    guild_id: int
    channel_id: int
    user_id: int
    window: Window
    model_key: str | None = None
    profile: str = INTERACTIVE_PROFILE


def check_model_key(manager: ModelManager, key: str | None) -> str | None:
    """The registry's spelling of an asked-for summarizer (a summarization key or a chat model the
    summarizer can prompt); InvalidInput listing the valid keys if unknown. None stays None."""
    if key is None or not key.strip():
        return None
    try:
        return resolve_model(key.strip(), manager.registry)[1].key
    except sml_config.UnknownModelError as error:
        text = str(error)
        raise InvalidInput(text[:1].upper() + text[1:] + ".") from None


async def summarize_channel(
    sessions: async_sessionmaker[AsyncSession],
    manager: ModelManager,
    request: SummaryRequest,
    *,
    now: datetime | None = None,
) -> Summary:
    """Load the window and summarize it (chunk summaries cached in the database). Returns agents' Summary."""
    now = now or datetime.now(UTC)
    registry = manager.registry
    async with sessions() as session:
        key = check_model_key(manager, request.model_key) or await active_model_key(session, request.guild_id, TASK, registry)
        records = await load_messages(session, channel_id=request.channel_id, user_id=request.user_id, window=request.window, now=now)
    try:
        return await summarize_messages(
            records,
            manager=manager,
            model_key=key,
            profile=request.profile,
            cache=chunk_cache(sessions),
            channel_id=request.channel_id,
        )
    except EmptyWindowError as error:
        raise EmptyWindow(str(error)) from None
    except SummarizeError as error:
        raise InvalidInput(str(error)) from None
