"""The daily retention job: what it deletes, and that it is a persistent job in the database's job store."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, select, text

from bot import scheduler
from bot.storage.tables import GuildSettings, Message
from tests.fixtures.discord import eventually

COGS = ("collector", "scheduler")


async def stored_ids(bot) -> set[int]:
    async with bot.sessions() as session:
        return set(await session.scalars(select(Message.id)))


def stored_jobs(sync_url: str) -> list[tuple[str, float | None, dict]]:
    engine = create_engine(sync_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, next_run_time, job_state FROM apscheduler_jobs")).all()
    finally:
        engine.dispose()
    return [(job_id, next_run, pickle.loads(state)) for job_id, next_run, state in rows]


async def test_retention_job_removes_messages_older_than_the_retention(fake_discord, small_server, start_bot, bot_settings):
    now = datetime.now(UTC)
    settings = dataclasses.replace(bot_settings, default_retention_days=30)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        old = await fake_discord.send_message(small_server.general, small_server.alice, "ancient", at=now - timedelta(days=45))
        recent = await fake_discord.send_message(small_server.general, small_server.alice, "fresh", at=now - timedelta(days=2))
        await eventually(lambda: _has(bot, {int(old["id"]), int(recent["id"])}))

        removed = await scheduler.purge_expired_messages()

        assert removed == 1
        assert await stored_ids(bot) == {int(recent["id"])}


async def _has(bot, wanted: set[int]) -> bool:
    return wanted <= await stored_ids(bot)


async def test_a_guild_retention_of_zero_keeps_messages_forever(fake_discord, small_server, start_bot, bot_settings):
    now = datetime.now(UTC)
    settings = dataclasses.replace(bot_settings, default_retention_days=30)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        old = await fake_discord.send_message(small_server.general, small_server.alice, "ancient", at=now - timedelta(days=400))
        await eventually(lambda: _has(bot, {int(old["id"])}))
        async with bot.sessions.begin() as session:
            session.add(GuildSettings(guild_id=small_server.guild, retention_days=0))
        assert await scheduler.purge_expired_messages() == 0
        assert await stored_ids(bot) == {int(old["id"])}


async def test_retention_job_is_registered_in_the_persistent_job_store(fake_discord, small_server, start_bot, bot_settings):
    async with start_bot(cogs=COGS) as bot:
        running = scheduler.current_scheduler()
        assert running is not None and running.running
        assert scheduler.current_bot() is bot
        job = running.get_job(scheduler.RETENTION_JOB_ID)
        assert job is not None and job.func_ref == scheduler.RETENTION_JOB
        first_run = job.next_run_time

    # Stopped: the job outlives the bot in the database, by import path (no pickled function or bot).
    assert scheduler.current_bot() is None
    jobs = stored_jobs(bot_settings.sync_database_url)
    assert [(job_id, state["func"]) for job_id, _, state in jobs] == [(scheduler.RETENTION_JOB_ID, scheduler.RETENTION_JOB)]
    assert jobs[0][1] == first_run.timestamp()
    assert jobs[0][2]["coalesce"] is True and jobs[0][2]["misfire_grace_time"] is None

    async with start_bot(cogs=COGS):
        # A restart replaces the stored job instead of adding a second one.
        assert [job_id for job_id, _, _ in stored_jobs(bot_settings.sync_database_url)] == [scheduler.RETENTION_JOB_ID]
        assert scheduler.current_scheduler().get_job(scheduler.RETENTION_JOB_ID).next_run_time == first_run


async def test_the_scheduler_runs_the_stored_retention_job_on_the_bots_loop(fake_discord, small_server, start_bot, bot_settings):
    now = datetime.now(UTC)
    settings = dataclasses.replace(bot_settings, default_retention_days=30)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        old = await fake_discord.send_message(small_server.general, small_server.alice, "ancient", at=now - timedelta(days=45))
        await eventually(lambda: _has(bot, {int(old["id"])}))
        # Due now: the scheduler itself must find the job in the store and run the coroutine on this loop.
        scheduler.current_scheduler().modify_job(scheduler.RETENTION_JOB_ID, next_run_time=datetime.now(UTC))
        await eventually(lambda: _empty(bot))


async def _empty(bot) -> bool:
    return not await stored_ids(bot)


async def test_catch_up_never_brings_back_messages_past_the_retention(fake_discord, small_server, start_bot, bot_settings):
    now = datetime.now(UTC)
    settings = dataclasses.replace(bot_settings, default_retention_days=30)
    expired = fake_discord.add_history(
        small_server.general,
        [{"author": small_server.alice, "content": f"ancient {i}", "at": now - timedelta(days=60 - i)} for i in range(5)],
    )
    recent = fake_discord.add_history(
        small_server.general, [{"author": small_server.bob, "content": "recent", "at": now - timedelta(days=1)}]
    )
    async with start_bot(cogs=COGS, settings=settings) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        assert await stored_ids(bot) == {int(recent[0]["id"])}
        await fake_discord.delete_message(small_server.general, int(recent[0]["id"]))
        await eventually(lambda: _empty(bot))
    async with start_bot(cogs=COGS, settings=settings) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        assert await stored_ids(bot) == set()
    assert expired  # they are in Discord's history all along
