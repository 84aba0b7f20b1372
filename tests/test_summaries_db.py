"""The chunk cache in a real migrated SQLite database: hits across runs, edits and deletes drop what they touch."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agents.summarize import CachedChunk, summarize_messages
from agents.summarize.generation import MAP, MERGE
from bot.importer import import_file
from bot.storage import db
from bot.storage import messages as store
from bot.storage.summaries import DatabaseChunkCache, count_chunks, invalidate_messages, prune_chunks, put_chunks
from bot.storage.tables import SummaryChunkMessage
from tests.exports import export_message, make_export, write_export
from tests.fixtures.models import TINY_BART_KEY
from tests.test_summarize_agent import TOPICS, CallCounter

CHANNEL = 200
FIRST_ID = 5_000_000


@pytest.fixture
async def sessions(database_url: str, tmp_path: Path):
    engine = db.create_engine(database_url)
    factory = db.session_factory(engine)
    messages = [export_message(i, f"{TOPICS[(i // 50) % len(TOPICS)]} ({i})") for i in range(240)]
    await import_file(factory, write_export(tmp_path / "export.json", make_export(messages)))
    yield factory
    await engine.dispose()


async def window(sessions):
    async with sessions() as session:
        return await store.load_window(session, CHANNEL)


async def summarize(sessions, manager):
    return await summarize_messages(
        await window(sessions), manager=manager, model_key=TINY_BART_KEY, cache=DatabaseChunkCache(sessions), channel_id=CHANNEL
    )


async def chunks_reading(sessions, message_id: int) -> int:
    async with sessions() as session:
        query = select(func.count()).select_from(SummaryChunkMessage).where(SummaryChunkMessage.message_id == message_id)
        return int(await session.scalar(query))


async def test_a_stored_channel_summarized_twice_runs_the_model_once(sessions, tiny_registry, monkeypatch):
    counter = CallCounter(monkeypatch)
    first = await summarize(sessions, tiny_registry)
    assert first.messages_read == first.messages_total == 240 and first.chunks_total >= 3
    async with sessions() as session:
        # Every chunk summary and every merge is stored, each with the messages it read.
        assert await count_chunks(session, CHANNEL) == counter.texts(MAP) + counter.texts(MERGE)
    assert await chunks_reading(sessions, FIRST_ID + 17) >= 1
    counter.reset()
    again = await summarize(sessions, tiny_registry)
    assert counter.calls == []
    assert again.chunks_cached == again.chunks_total
    assert again.bullets == first.bullets


async def test_an_edit_drops_the_chunks_that_read_the_message(sessions, tiny_registry, monkeypatch):
    counter = CallCounter(monkeypatch)
    await summarize(sessions, tiny_registry)
    edited_id = FIRST_ID + 120
    assert await chunks_reading(sessions, edited_id) >= 1
    async with sessions.begin() as session:
        assert await store.apply_edit(session, edited_id, content="scratch that: the deploy is postponed")
    assert await chunks_reading(sessions, edited_id) == 0
    counter.reset()
    summary = await summarize(sessions, tiny_registry)
    assert 1 <= counter.texts(MAP) <= 3 and summary.chunks_cached >= summary.chunks_total - 3
    assert await chunks_reading(sessions, edited_id) >= 1  # summarized again, from the new text


async def test_a_deleted_message_leaves_no_cached_summary_behind(sessions, tiny_registry):
    await summarize(sessions, tiny_registry)
    deleted_id = FIRST_ID + 60
    async with sessions.begin() as session:
        assert await store.delete_messages(session, [deleted_id]) == 1
    assert await chunks_reading(sessions, deleted_id) == 0
    summary = await summarize(sessions, tiny_registry)
    assert summary.messages_total == summary.messages_read == 239
    assert await chunks_reading(sessions, deleted_id) == 0
    assert all(deleted_id not in bullet.message_ids for bullet in summary.bullets)


async def test_invalidate_messages_counts_what_it_dropped(sessions, tiny_registry):
    await summarize(sessions, tiny_registry)
    async with sessions.begin() as session:
        before = await count_chunks(session)
        dropped = await invalidate_messages(session, [FIRST_ID + 5, FIRST_ID + 6])
        assert dropped >= 2  # the chunk and every merge above it
        assert await count_chunks(session) == before - dropped
        assert await invalidate_messages(session, [FIRST_ID + 5]) == 0


async def test_a_chunk_that_read_a_since_deleted_message_is_not_stored(sessions):
    async with sessions.begin() as session:
        await store.delete_messages(session, [FIRST_ID + 1])
    chunks = [
        CachedChunk("a" * 64, "kept", (FIRST_ID + 2, FIRST_ID + 3), "tiny-bart", CHANNEL),
        CachedChunk("b" * 64, "dropped", (FIRST_ID + 1, FIRST_ID + 2), "tiny-bart", CHANNEL),
    ]
    async with sessions.begin() as session:
        assert await put_chunks(session, chunks) == 1
        assert await put_chunks(session, chunks) == 0  # already there: nothing twice
    cache = DatabaseChunkCache(sessions)
    assert await cache.get_many(["a" * 64, "b" * 64, "c" * 64]) == {"a" * 64: "kept"}


async def test_unused_chunks_are_pruned(sessions):
    from datetime import datetime, timedelta

    cache = DatabaseChunkCache(sessions)
    await cache.put_many([CachedChunk("d" * 64, "old", (FIRST_ID + 2,), "tiny-bart", CHANNEL)])
    async with sessions.begin() as session:
        assert await prune_chunks(session, unused_since=datetime.now(UTC) - timedelta(days=1)) == 0
        assert await prune_chunks(session, unused_since=datetime.now(UTC) + timedelta(seconds=1)) == 1
        assert await count_chunks(session) == 0
