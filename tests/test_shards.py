"""Two sharded bot processes on one PostgreSQL: each guild's events reach one of them, each digest is posted once
by the process of its shard, and when the scheduling process goes another one takes its jobs over.

The "processes" are independent Smolcord clients in this test process: each its own gateway connection (its own
shard), its own database engines, its own scheduler thread and advisory-lock connection."""

from __future__ import annotations

import asyncio
import dataclasses
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import func, select

from bot import digest as scheduled
from bot import scheduler as bot_scheduler
from bot.client import ShardedSmolcord
from bot.services.digest import DigestSchedule
from bot.storage import db
from bot.storage.tables import DigestPost, GuildModel, Message
from tests.fixtures import db as test_db
from tests.fixtures.discord import eventually, running_bot

pytestmark = pytest.mark.skipif(
    not test_db.POSTGRES_ADMIN_URL, reason="needs PostgreSQL (SMOLCORD_TEST_POSTGRES_URL; scripts/test.sh starts one)"
)

COGS = ("collector", "errors", "digest", "scheduler")
SHARDS = 2


@pytest.fixture
def postgres_url():
    generator = test_db._postgres_database()
    url = next(generator)
    db.upgrade(url)
    yield url
    generator.close()


def shard_of(guild_id: int) -> int:
    return (guild_id >> 22) % SHARDS


def add_guilds(fake, per_shard: int = 2) -> dict[int, dict[str, int]]:
    """`per_shard` guilds on each shard (ids chosen so), each with #general and a member."""
    guilds: dict[int, dict[str, int]] = {}
    for shard in range(SHARDS):
        for n in range(per_shard):
            base = fake.ids.next()
            guild_id = base if shard_of(base) == shard else base + (1 << 22)
            guild = fake.add_guild(f"shard {shard} server {n}", guild_id=guild_id)
            guilds[guild] = {"general": fake.add_channel(guild, "general"), "alice": fake.add_member(guild, f"alice{n}")}
    return guilds


def recent_schedule() -> DigestSchedule:
    moment = datetime.now(UTC) - timedelta(minutes=1)
    return DigestSchedule(hour=moment.hour, minute=moment.minute, timezone="UTC")


async def count_messages(bot, ids: list[int]) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Message).where(Message.id.in_(ids))) or 0


def record_runs(bot, runs: list[tuple[int, str, object]], label: int) -> None:
    def listener(event) -> None:
        runs.append((label, event.job_id, getattr(event, "retval", None) if event.code == EVENT_JOB_EXECUTED else "error"))

    bot.scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)


async def test_two_shards_store_each_message_once_post_each_digest_once_and_take_over(fake_discord, bot_settings, postgres_url):
    fake = fake_discord
    guilds = add_guilds(fake)
    settings = dataclasses.replace(
        bot_settings, database_url=postgres_url, shard_count=SHARDS, user_cooldown_s=0.0, scheduler_lock_retry_s=0.3
    )
    runs: list[tuple[int, str, object]] = []
    async with AsyncExitStack() as stack:
        bots = {}
        for shard in range(SHARDS):
            bot = await stack.enter_async_context(running_bot(dataclasses.replace(settings, shard_ids=(shard,)), fake, cogs=COGS))
            assert isinstance(bot, ShardedSmolcord)
            lock = bot_scheduler.scheduler_lock(bot.scheduler)
            # The first process up also takes the jobs of no guild (retention).
            wanted = {shard, bot_scheduler.GLOBAL_JOBS} if shard == 0 else {shard}
            await eventually(lambda lock=lock, wanted=wanted: lock.held == wanted)
            record_runs(bot, runs, shard)
            bots[shard] = bot

        # Each process has exactly the guilds of its shard.
        for shard, bot in bots.items():
            assert {g.id for g in bot.guilds} == {g for g in guilds if shard_of(g) == shard}

        # Messages: every one stored, once (each reached one process: the one holding its guild).
        half_hour_ago = datetime.now(UTC) - timedelta(minutes=30)
        sent = []
        for guild, ids in guilds.items():
            for n in range(3):
                message = await fake.send_message(ids["general"], ids["alice"], f"release note {n} for {guild}", at=half_hour_ago)
                sent.append(int(message["id"]))

        async def all_stored() -> bool:
            return await count_messages(bots[0], sent) == len(sent)

        await eventually(all_stored, timeout=10)
        for shard, bot in bots.items():
            mine = [m for m, g in zip(sent, [g for g in guilds for _ in range(3)], strict=True) if shard_of(g) == shard]
            assert await count_messages(bot, mine) == len(mine)

        for guild in guilds:  # summaries from the model that needs no weights
            async with bots[shard_of(guild)].sessions.begin() as session:
                session.add(GuildModel(guild_id=guild, task="summarization", model_key="extractive"))

        # Each guild's owner sets a digest (the command reaches its shard's process, which stores the job).
        schedule = recent_schedule()
        for guild, ids in guilds.items():
            reply = await (
                await fake.interact(
                    ids["general"],
                    fake.guilds[guild].owner_id,
                    "digest set",
                    {"channel": ids["general"], "time": schedule.time_text, "timezone": "UTC"},
                )
            ).reply()
            assert "digest" in reply.text.lower()
        # Every job is due now; whichever process's scheduler looks at the shared table, each runs in one place.
        for guild in guilds:
            bots[0].scheduler.modify_job(scheduled.job_id(guild), next_run_time=datetime.now(UTC))

        def digest_runs():
            return [r for r in runs if r[1].startswith(scheduled.JOB_PREFIX)]

        await eventually(lambda: len({r[1] for r in digest_runs()}) == len(guilds), timeout=15)
        assert sorted(digest_runs()) == sorted((shard_of(g), scheduled.job_id(g), "posted") for g in guilds)
        for guild, ids in guilds.items():
            digests = [m for m in fake.posted_messages(ids["general"]) if m.embeds and "Daily digest" in (m.embeds[0].get("title") or "")]
            assert len(digests) == 1, guild
        async with bots[1].sessions() as session:
            posts = list(await session.scalars(select(DigestPost)))
        assert sorted(p.guild_id for p in posts) == sorted(guilds) and all(p.message_id for p in posts)

        # A standby process for shard 0 (a rolling restart, a spare): it has shard 0's guilds but runs nothing
        # while the first process holds the locks.
        standby = await stack.enter_async_context(running_bot(dataclasses.replace(settings, shard_ids=(0,)), fake, cogs=COGS))
        record_runs(standby, runs, 2)
        standby_lock = bot_scheduler.scheduler_lock(standby.scheduler)
        await asyncio.sleep(3 * settings.scheduler_lock_retry_s)
        assert standby_lock.held == frozenset()

        # The first process goes: within the retry interval the standby schedules shard 0, and the global jobs
        # go to exactly one of the survivors.
        survivor = bot_scheduler.scheduler_lock(bots[1].scheduler)
        await bots[0].close()
        await eventually(lambda: 0 in standby_lock.held, timeout=10)
        await eventually(
            lambda: survivor.runs(bot_scheduler.RETENTION_JOB_ID) != standby_lock.runs(bot_scheduler.RETENTION_JOB_ID), timeout=10
        )
        global_holder = 1 if survivor.runs(bot_scheduler.RETENTION_JOB_ID) else 2
        standby.scheduler.modify_job(bot_scheduler.RETENTION_JOB_ID, next_run_time=datetime.now(UTC))
        await eventually(lambda: any(r[1] == bot_scheduler.RETENTION_JOB_ID for r in runs), timeout=10)
        # Shard 0's digest now runs in the standby, once; the day's claim keeps it from posting twice.
        shard0_guild = next(g for g in guilds if shard_of(g) == 0)
        standby.scheduler.modify_job(scheduled.job_id(shard0_guild), next_run_time=datetime.now(UTC))
        await eventually(lambda: len([r for r in runs if r[1] == scheduled.job_id(shard0_guild)]) == 2, timeout=10)
        await asyncio.sleep(3 * settings.scheduler_lock_retry_s)
        assert [r for r in runs if r[1] == scheduled.job_id(shard0_guild)] == [
            (0, scheduled.job_id(shard0_guild), "posted"),
            (2, scheduled.job_id(shard0_guild), "already posted"),
        ]
        assert [r[0] for r in runs if r[1] == bot_scheduler.RETENTION_JOB_ID] == [global_holder]
        digests = [
            m
            for m in fake.posted_messages(guilds[shard0_guild]["general"])
            if m.embeds and "Daily digest" in (m.embeds[0].get("title") or "")
        ]
        assert len(digests) == 1
        # Shard 1's process never runs shard 0's guilds' jobs.
        assert not any(survivor.runs(scheduled.job_id(g)) for g in guilds if shard_of(g) == 0)
