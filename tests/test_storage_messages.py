"""The message store behaves the same on SQLite and PostgreSQL: writes, edits, deletes, privacy, retention, reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from bot.storage import db
from bot.storage import messages as store
from bot.storage.tables import GuildSettings, Message, SummaryChunk, SummaryChunkMessage

GUILD, CHANNEL, THREAD = 10, 100, 101
ALICE, BOB = 1, 2
T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def row(
    message_id: int, author: int = ALICE, content: str = "hello", *, channel: int = CHANNEL, minutes: int = 0, **extra
) -> store.MessageRow:
    return store.MessageRow(
        id=message_id,
        guild_id=GUILD,
        channel_id=channel,
        author_id=author,
        content=content,
        created_at=T0 + timedelta(minutes=minutes),
        **extra,
    )


@pytest.fixture
async def sessions(any_database_url):
    engine = db.create_engine(any_database_url)
    factory = db.session_factory(engine)
    async with factory.begin() as s:
        await store.upsert_guild(s, store.GuildRow(GUILD, "Guild"))
        await store.upsert_channels(
            s,
            [store.ChannelRow(CHANNEL, GUILD, "general"), store.ChannelRow(THREAD, GUILD, "a thread", "thread", CHANNEL)],
        )
        await store.upsert_members(s, [store.MemberRow(GUILD, ALICE, "Alice"), store.MemberRow(GUILD, BOB, "Bob")])
    yield factory
    await engine.dispose()


async def test_saving_the_same_messages_twice_stores_them_once(sessions):
    async with sessions.begin() as s:
        assert await store.save_messages(s, [row(1), row(2)]) == 2
    async with sessions.begin() as s:
        assert await store.save_messages(s, [row(2), row(3)]) == 1
        assert await store.count_messages(s, CHANNEL) == 3


async def test_window_resolves_display_names_and_mentions_oldest_first(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(2, BOB, "hi <@1>", minutes=1, mention_ids=[ALICE]), row(1, ALICE, "first")])
        records = await store.load_window(s, CHANNEL)
    assert [r.id for r in records] == [1, 2]
    assert records[1].author_name == "Bob"
    assert records[1].mention_names == {ALICE: "Alice"}
    assert records[0].created_at == T0 and records[0].created_at.tzinfo is not None
    assert records[0].channel_name == "general"


async def test_window_limit_keeps_the_newest_messages(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(i, minutes=i) for i in range(1, 11)])
        records = await store.load_window(s, CHANNEL, limit=3)
        since = await store.load_window(s, CHANNEL, since=T0 + timedelta(minutes=8))
    assert [r.id for r in records] == [8, 9, 10]
    assert [r.id for r in since] == [8, 9, 10]


async def test_partial_edit_changes_only_the_fields_it_carries(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1, content="draft", attachments=["a.png (image/png)"])])
    async with sessions.begin() as s:
        assert await store.apply_edit(s, 1, content="final", edited_at=T0 + timedelta(hours=1))
        assert not await store.apply_edit(s, 999, content="unknown message")
    async with sessions.begin() as s:
        [record] = await store.load_window(s, CHANNEL)
    assert record.content == "final"
    assert record.attachments == ("a.png (image/png)",)
    assert record.edited_at == T0 + timedelta(hours=1)


async def test_deleting_a_message_drops_cached_summaries_that_read_it(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1), row(2), row(3)])
        s.add_all([SummaryChunk(key="a", model_key="m", summary="about 1 and 2"), SummaryChunk(key="b", model_key="m", summary="about 3")])
        await s.flush()
        s.add_all(
            [
                SummaryChunkMessage(chunk_key="a", message_id=1),
                SummaryChunkMessage(chunk_key="a", message_id=2),
                SummaryChunkMessage(chunk_key="b", message_id=3),
            ]
        )
    async with sessions.begin() as s:
        assert await store.delete_messages(s, [2]) == 1
    async with sessions.begin() as s:
        assert set(await s.scalars(select(SummaryChunk.key))) == {"b"}
        assert [r.id for r in await store.load_window(s, CHANNEL)] == [1, 3]


async def test_deleting_a_channel_removes_its_threads_messages_too(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1), row(2, channel=THREAD)])
    async with sessions.begin() as s:
        assert await store.delete_channel(s, CHANNEL) == 2
        assert await store.count_messages(s) == 0


async def test_opted_out_users_messages_are_erased_and_never_stored_again(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1, ALICE), row(2, BOB)])
    async with sessions.begin() as s:
        assert await store.opt_out(s, GUILD, ALICE) == 1
    async with sessions.begin() as s:
        assert await store.save_messages(s, [row(3, ALICE), row(4, BOB)]) == 1
        assert [r.author_id for r in await store.load_window(s, CHANNEL)] == [BOB, BOB]
    async with sessions.begin() as s:
        assert await store.opt_in(s, GUILD, ALICE)
        assert await store.save_messages(s, [row(5, ALICE)]) == 1


async def test_retention_removes_only_messages_older_than_the_guild_setting(sessions):
    now = T0 + timedelta(days=40)
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1, minutes=0), row(2, minutes=60 * 24 * 35)])
        s.add(GuildSettings(guild_id=GUILD, retention_days=30))
    async with sessions.begin() as s:
        assert await store.purge_expired(s, now, default_days=365) == 1
        assert [r.id for r in await store.load_window(s, CHANNEL)] == [2]


async def test_retention_zero_keeps_messages_forever(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1)])
    async with sessions.begin() as s:
        assert await store.purge_expired(s, T0 + timedelta(days=10_000), default_days=0) == 0


async def test_leaving_a_guild_erases_everything_stored_for_it(sessions):
    async with sessions.begin() as s:
        await store.save_messages(s, [row(1), row(2, channel=THREAD)])
    async with sessions.begin() as s:
        assert await store.delete_guild(s, GUILD) == 2
        assert await s.scalar(select(func.count()).select_from(Message)) == 0


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(database_url):
    engine = db.create_engine(database_url)
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    await engine.dispose()


def test_migrations_are_the_schema(database_url):
    assert db.current_revision(database_url) is not None
