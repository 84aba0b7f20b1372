"""The chunk-summary cache in the database (summary_chunks + summary_chunk_messages) behind the agents' ChunkCache."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.summarize.cache import CachedChunk
from bot.storage.db import batches as _batches
from bot.storage.db import upsert_insert as _insert
from bot.storage.tables import Message, SummaryChunk, SummaryChunkMessage


async def get_chunks(session: AsyncSession, keys: Sequence[str]) -> dict[str, str]:
    """Cached summaries by key; marks the hits as used (for pruning)."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(keys))
    for batch in _batches(unique):
        rows = await session.execute(select(SummaryChunk.key, SummaryChunk.summary).where(SummaryChunk.key.in_(batch)))
        found.update((key, summary) for key, summary in rows)
    hits = list(found)
    now = datetime.now(UTC)
    for batch in _batches(hits):
        await session.execute(update(SummaryChunk).where(SummaryChunk.key.in_(batch)).values(used_at=now))
    return found


async def put_chunks(session: AsyncSession, chunks: Sequence[CachedChunk], *, require_stored_messages: bool = True) -> int:
    """Store chunk summaries with the messages each read; returns how many were new.

    With `require_stored_messages`, a chunk that read a message no longer in the database (deleted
    while the model was running) is not stored: deleted text must not live on in a summary.
    """
    chunks = list({chunk.key: chunk for chunk in chunks}.values())
    if not chunks:
        return 0
    if require_stored_messages:
        wanted = sorted({i for chunk in chunks for i in chunk.message_ids})
        stored: set[int] = set()
        for batch in _batches(wanted):
            stored.update(await session.scalars(select(Message.id).where(Message.id.in_(batch))))
        chunks = [chunk for chunk in chunks if stored.issuperset(chunk.message_ids)]
        if not chunks:
            return 0
    keys = [chunk.key for chunk in chunks]
    existing: set[str] = set()
    for batch in _batches(keys):
        existing.update(await session.scalars(select(SummaryChunk.key).where(SummaryChunk.key.in_(batch))))
    new = [chunk for chunk in chunks if chunk.key not in existing]
    if not new:
        return 0
    now = datetime.now(UTC)
    rows = [
        {"key": c.key, "channel_id": c.channel_id, "model_key": c.model_key[:100], "summary": c.summary, "created_at": now, "used_at": now}
        for c in new
    ]
    # ON CONFLICT DO NOTHING: two summaries of overlapping windows may store the same chunk at once.
    await session.execute(_insert(session, SummaryChunk).on_conflict_do_nothing(index_elements=["key"]), rows)
    links = [{"chunk_key": c.key, "message_id": i} for c in new for i in dict.fromkeys(c.message_ids)]
    statement = _insert(session, SummaryChunkMessage).on_conflict_do_nothing(index_elements=["chunk_key", "message_id"])
    for batch in _batches(links, 2000):
        await session.execute(statement, list(batch))
    return len(new)


async def invalidate_messages(session: AsyncSession, message_ids: Sequence[int]) -> int:
    """Drop every cached summary that read one of these messages (edited or deleted); returns how many."""
    ids = sorted(set(message_ids))
    keys: set[str] = set()
    for batch in _batches(ids):
        keys.update(await session.scalars(select(SummaryChunkMessage.chunk_key).where(SummaryChunkMessage.message_id.in_(batch))))
    ordered = sorted(keys)
    for batch in _batches(ordered):
        # Links first: correct even where the foreign keys' ON DELETE CASCADE is not enforced.
        await session.execute(delete(SummaryChunkMessage).where(SummaryChunkMessage.chunk_key.in_(batch)))
        await session.execute(delete(SummaryChunk).where(SummaryChunk.key.in_(batch)))
    return len(ordered)


async def prune_chunks(session: AsyncSession, *, unused_since: datetime) -> int:
    """Drop cached summaries not used since `unused_since` (a scheduled clean-up); returns how many."""
    keys = list(await session.scalars(select(SummaryChunk.key).where(SummaryChunk.used_at < unused_since)))
    for batch in _batches(keys):
        await session.execute(delete(SummaryChunkMessage).where(SummaryChunkMessage.chunk_key.in_(batch)))
        await session.execute(delete(SummaryChunk).where(SummaryChunk.key.in_(batch)))
    return len(keys)


async def count_chunks(session: AsyncSession, channel_id: int | None = None) -> int:
    query = select(func.count()).select_from(SummaryChunk)
    if channel_id is not None:
        query = query.where(SummaryChunk.channel_id == channel_id)
    return int(await session.scalar(query) or 0)


class DatabaseChunkCache:
    """ChunkCache over the database: each call is its own short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, require_stored_messages: bool = True):
        self.sessions = sessions
        self.require_stored_messages = require_stored_messages

    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        async with self.sessions.begin() as session:
            return await get_chunks(session, keys)

    async def put_many(self, chunks: Sequence[CachedChunk]) -> None:
        if not chunks:
            return
        async with self.sessions.begin() as session:
            await put_chunks(session, chunks, require_stored_messages=self.require_stored_messages)
