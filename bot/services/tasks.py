"""Tasks for the commands: scanning a window for action items, listing what a user may see, closing and reopening."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.tasks import extract_tasks
from bot.services.errors import InvalidInput
from bot.services.guild_settings import guild_timezone
from bot.services.windows import Window, load_messages
from bot.storage.tables import Task
from bot.storage.tasks import TaskNotFoundError, list_tasks, save_tasks, set_status

STATUS_FILTERS = ("open", "done", "cancelled", "all")
MAX_LISTED = 200


@dataclass(frozen=True, slots=True)
class ScanResult:
    messages_read: int
    found: int
    created: list[Task]
    updated: list[Task]


async def scan_channel(
    sessions: async_sessionmaker[AsyncSession],
    *,
    guild_id: int,
    channel_id: int,
    user_id: int,
    window: Window,
    now: datetime | None = None,
    bot_ids: tuple[int, ...] = (),
) -> ScanResult:
    """Run the task extractor over a window and store what it finds (a re-scan creates no duplicates)."""
    now = now or datetime.now(UTC)
    async with sessions() as session:
        records = await load_messages(session, channel_id=channel_id, user_id=user_id, window=window, now=now)
        zone = await guild_timezone(session, guild_id)
    # Rules only, but thousands of messages still take CPU time: keep it off the event loop.
    extracted = await asyncio.to_thread(extract_tasks, records, timezone=zone, bot_ids=bot_ids)
    async with sessions.begin() as session:
        created, updated = await save_tasks(session, guild_id, channel_id, extracted)
    return ScanResult(messages_read=len(records), found=len(extracted), created=created, updated=updated)


async def visible_tasks(
    sessions: async_sessionmaker[AsyncSession],
    *,
    guild_id: int,
    readable_channel_ids: Collection[int],
    channel_id: int | None = None,
    owner_id: int | None = None,
    status: str = "open",
) -> list[Task]:
    """Stored tasks matching the filters, only from channels in `readable_channel_ids`."""
    if status not in STATUS_FILTERS:
        raise InvalidInput(f"Status must be one of {', '.join(STATUS_FILTERS)}.")
    async with sessions() as session:
        rows = await list_tasks(session, guild_id, channel_id=channel_id, owner_id=owner_id, status=None if status == "all" else status)
    return [row for row in rows if row.channel_id in readable_channel_ids][:MAX_LISTED]


async def change_status(sessions: async_sessionmaker[AsyncSession], *, guild_id: int, task_id: int, status: str, actor_id: int) -> Task:
    try:
        async with sessions.begin() as session:
            return await set_status(session, task_id, status, actor_id, guild_id=guild_id)
    except TaskNotFoundError:
        raise InvalidInput(f"Task #{task_id} no longer exists.") from None
