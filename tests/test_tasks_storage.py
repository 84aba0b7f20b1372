"""Stored tasks behave the same on SQLite and PostgreSQL: no duplicates across scans, status history, listing, closing by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from agents.records import MessageRecord
from agents.tasks import extract_tasks
from bot.storage import db
from bot.storage import tasks as store
from bot.storage.tables import Task, TaskEvent

GUILD, OTHER_GUILD, CHANNEL = 10, 11, 100
ALICE, BOB, CAROL = 1, 2, 3
NAMES = {ALICE: "Alice", BOB: "Bob", CAROL: "Carol"}
T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday


def message(message_id: int, author: int, content: str, *, minutes: int = 0, reply_to: int | None = None, mentions=()) -> MessageRecord:
    return MessageRecord(
        id=message_id,
        channel_id=CHANNEL,
        author_id=author,
        author_name=NAMES[author],
        content=content,
        created_at=T0 + timedelta(minutes=minutes),
        reply_to_id=reply_to,
        mention_ids=tuple(mentions),
        mention_names={user: NAMES[user] for user in mentions},
        guild_id=GUILD,
    )


REQUEST = message(1, ALICE, f"<@{BOB}> can you update the release notes by Friday?", mentions=[BOB])
ACCEPT = message(2, BOB, "sure, will do", minutes=1)
COMMITMENT = message(3, CAROL, "I'll book the meeting room for the offsite", minutes=2)
DONE = message(4, BOB, "release notes updated \u2705", minutes=60)
HANDOFF = message(5, ALICE, f"<@{CAROL}> I'll take over the meeting room booking from you", minutes=61, mentions=[CAROL])


@pytest.fixture
async def sessions(any_database_url):
    engine = db.create_engine(any_database_url)
    yield db.session_factory(engine)
    await engine.dispose()


async def count(sessions, model) -> int:
    async with sessions() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_scanning_the_same_window_twice_creates_nothing_new(sessions):
    window = [REQUEST, ACCEPT, COMMITMENT]
    async with sessions.begin() as s:
        created, updated = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks(window))
    assert len(created) == 2 and updated == []
    async with sessions.begin() as s:
        created, updated = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks(window))
    assert created == [] and updated == []
    assert await count(sessions, Task) == 2
    assert await count(sessions, TaskEvent) == 2  # one "open" event each


async def test_a_wider_window_updates_the_stored_task_and_records_who_closed_it(sessions):
    async with sessions.begin() as s:
        await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([REQUEST, ACCEPT, COMMITMENT]))
    async with sessions.begin() as s:
        created, updated = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([REQUEST, ACCEPT, COMMITMENT, DONE]))
    assert created == [] and [task.owner_id for task in updated] == [BOB]
    async with sessions() as s:
        notes = (await store.list_tasks(s, GUILD, owner_id=BOB))[0]
        assert notes.status == "done"
        assert DONE.id in notes.source_message_ids
        events = await store.task_events(s, notes.id)
    assert [(e.old_status, e.new_status, e.actor_id, e.message_id) for e in events] == [
        (None, "open", ALICE, REQUEST.id),
        ("open", "done", BOB, DONE.id),
    ]
    # The third scan of the same wider window changes nothing.
    async with sessions.begin() as s:
        assert await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([REQUEST, ACCEPT, COMMITMENT, DONE])) == ([], [])


async def test_a_reassignment_changes_the_owner_and_leaves_an_event(sessions):
    async with sessions.begin() as s:
        await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([COMMITMENT]))
    async with sessions.begin() as s:
        created, updated = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([COMMITMENT, HANDOFF]))
    assert created == [] and len(updated) == 1
    assert updated[0].owner_id == ALICE and updated[0].owner_name == "Alice"
    async with sessions() as s:
        events = await store.task_events(s, updated[0].id)
    assert [(e.new_status, e.actor_id, e.message_id) for e in events][-1] == ("open", ALICE, HANDOFF.id)


async def test_a_task_closed_in_one_scan_is_stored_closed_with_its_history(sessions):
    async with sessions.begin() as s:
        created, _ = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([REQUEST, ACCEPT, DONE]))
    assert [task.status for task in created] == ["done"]
    async with sessions() as s:
        events = await store.task_events(s, created[0].id)
    assert [(e.old_status, e.new_status) for e in events] == [(None, "open"), ("open", "done")]


async def test_set_status_by_hand_is_recorded_and_never_undone_by_a_rescan(sessions):
    window = [REQUEST, ACCEPT]
    async with sessions.begin() as s:
        (task,), _ = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks(window))
    async with sessions.begin() as s:
        closed = await store.set_status(s, task.id, "cancelled", CAROL)
    assert closed.status == "cancelled"
    async with sessions.begin() as s:
        assert await store.save_tasks(s, GUILD, CHANNEL, extract_tasks(window)) == ([], [])
    async with sessions() as s:
        assert (await store.get_task(s, task.id)).status == "cancelled"
        events = await store.task_events(s, task.id)
    assert (events[-1].old_status, events[-1].new_status, events[-1].actor_id) == ("open", "cancelled", CAROL)


async def test_set_status_refuses_unknown_tasks_statuses_and_other_guilds(sessions):
    async with sessions.begin() as s:
        (task,), _ = await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([REQUEST]))
    async with sessions() as s:
        with pytest.raises(store.TaskNotFoundError):
            await store.set_status(s, 9999, "done", ALICE)
        with pytest.raises(ValueError, match="unknown task status"):
            await store.set_status(s, task.id, "finished", ALICE)
        with pytest.raises(store.TaskNotFoundError):
            await store.set_status(s, task.id, "done", ALICE, guild_id=OTHER_GUILD)


async def test_list_tasks_filters_and_puts_the_soonest_deadline_first(sessions):
    async with sessions.begin() as s:
        await store.save_tasks(s, GUILD, CHANNEL, extract_tasks([REQUEST, ACCEPT, COMMITMENT]))
        await store.save_tasks(s, OTHER_GUILD, 200, extract_tasks([message(50, CAROL, "I'll rotate the API keys tomorrow")]))
    async with sessions() as s:
        everything = await store.list_tasks(s, GUILD)
        assert [t.owner_id for t in everything] == [BOB, CAROL]  # Bob's has a deadline
        assert everything[0].due_at == datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
        assert everything[0].due_text == "Friday"
        assert [t.owner_id for t in await store.list_tasks(s, GUILD, owner_id=CAROL)] == [CAROL]
        assert await store.list_tasks(s, GUILD, status="done") == []
        assert await store.list_tasks(s, GUILD, channel_id=200) == []
        assert len(await store.list_tasks(s, OTHER_GUILD)) == 1
        with pytest.raises(ValueError):
            await store.list_tasks(s, GUILD, status="nope")
