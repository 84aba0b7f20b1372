"""Importing DiscordChatExporter exports into the message store: each file whole or not at all, never twice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tqdm import tqdm

from bot.exports import DIRECT_MESSAGES_GUILD_ID, Export, ExportError, read_export
from bot.storage import messages as store

_WRITE_BATCH = 2000


@dataclass(frozen=True, slots=True)
class ImportResult:
    path: Path
    channel: str
    messages_in_file: int
    messages_added: int


async def write_export(session: AsyncSession, export: Export, progress: tqdm | None = None) -> int:
    """Store one export inside the caller's transaction; returns how many messages were new.

    Raises ExportError, before writing, when one of its channels is already stored under another server
    (or under direct messages): data of two places is never mixed.
    """
    stored = await store.channel_guilds(session, [c.id for c in export.channels])
    for channel in export.channels:
        owner = stored.get(channel.id)
        if owner is not None and owner != channel.guild_id:
            raise ExportError(
                f"{export.path}: channel {channel.id} is already stored as part of {_place(owner)}, not of {_place(channel.guild_id)}"
            )
    await store.upsert_guild(session, export.guild)
    await store.upsert_channels(session, export.channels)
    await store.upsert_members(session, export.members)
    added = 0
    for start in range(0, len(export.messages), _WRITE_BATCH):
        batch = export.messages[start : start + _WRITE_BATCH]
        added += await store.save_messages(session, batch)
        if progress is not None:
            progress.update(len(batch))
    return added


def _place(guild_id: int) -> str:
    return "direct messages" if guild_id == DIRECT_MESSAGES_GUILD_ID else f"server {guild_id}"


async def import_file(sessions: async_sessionmaker[AsyncSession], path: str | Path, *, show_progress: bool = False) -> ImportResult:
    """Validate then store one file in a single transaction. Raises ExportError before writing anything."""
    export = read_export(path)
    with tqdm(
        total=len(export.messages),
        unit="msg",
        desc=Path(path).name,
        disable=not show_progress,
        leave=False,
    ) as progress:
        async with sessions.begin() as session:
            added = await write_export(session, export, progress)
    return ImportResult(Path(path), export.channel.name, len(export.messages), added)
