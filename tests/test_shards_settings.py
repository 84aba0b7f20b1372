"""Shard settings, the fake Discord's shard routing, and the one-process (SQLite) scheduler that runs every job."""

from __future__ import annotations

import dataclasses
import re

import discord
import pytest

from bot import scheduler as bot_scheduler
from bot.client import ShardedSmolcord, Smolcord
from bot.settings import SettingsError, load_settings
from tests.fixtures.discord import eventually, running_bot

TOKEN = "test-token-" + "x" * 40


def test_shard_settings_are_read_and_checked():
    settings = load_settings({"SMOLCORD_SHARD_COUNT": "4", "SMOLCORD_SHARD_IDS": " 3, 1 "}, dotenv=False)
    assert (settings.shard_count, settings.shard_ids, settings.held_shards) == (4, (1, 3), (1, 3))
    assert load_settings({"SMOLCORD_SHARD_COUNT": "2"}, dotenv=False).held_shards == (0, 1)
    unsharded = load_settings({}, dotenv=False)
    assert (unsharded.shard_count, unsharded.held_shards) == (None, (0,))
    for env, message in (
        ({"SMOLCORD_SHARD_IDS": "0"}, "SMOLCORD_SHARD_IDS needs SMOLCORD_SHARD_COUNT"),
        ({"SMOLCORD_SHARD_COUNT": "2", "SMOLCORD_SHARD_IDS": "0,2"}, "SMOLCORD_SHARD_IDS has 2, but ids run from 0"),
        ({"SMOLCORD_SHARD_COUNT": "2", "SMOLCORD_SHARD_IDS": "one"}, "SMOLCORD_SHARD_IDS must be a whole number, not 'one'"),
        ({"SMOLCORD_SHARD_COUNT": "2", "SMOLCORD_SHARD_IDS": ","}, "SMOLCORD_SHARD_IDS must list shard ids"),
        ({"SMOLCORD_SHARD_COUNT": "0"}, "SMOLCORD_SHARD_COUNT must be at least 1"),
        ({"SMOLCORD_SCHEDULER_LOCK_RETRY_S": "-1"}, "SMOLCORD_SCHEDULER_LOCK_RETRY_S must not be negative"),
    ):
        with pytest.raises(SettingsError, match=re.escape(message)):
            load_settings(env, dotenv=False)


def test_the_bot_class_follows_the_shard_settings(settings):
    assert type(Smolcord(settings)) is Smolcord
    sharded = Smolcord(dataclasses.replace(settings, shard_count=3, shard_ids=(2,)))
    assert isinstance(sharded, ShardedSmolcord) and isinstance(sharded, discord.AutoShardedClient)
    assert (sharded.shard_count, sharded.shard_ids) == (3, [2])


def test_job_ownership_by_shard():
    lock = bot_scheduler.SchedulerLock(
        load_settings({"DATABASE_URL": "postgresql://x@127.0.0.1/db", "SMOLCORD_SHARD_COUNT": "2", "SMOLCORD_SHARD_IDS": "1"}, dotenv=False)
    )
    even, odd = 375_000_000_000 << 22, 375_000_000_001 << 22
    assert lock.held == frozenset()  # PostgreSQL: nothing until the locks are taken
    assert not lock.runs(f"digest:{odd}")
    lock.held = frozenset({1})
    assert lock.runs(f"digest:{odd}") and not lock.runs(f"digest:{even}") and not lock.runs("retention")
    lock.held = frozenset({1, bot_scheduler.GLOBAL_JOBS})
    assert lock.runs("retention")
    assert bot_scheduler.job_guild(f"digest:{odd}") == odd and bot_scheduler.job_guild("retention") is None


async def test_the_fake_routes_guilds_by_identifys_shard(fake_discord, bot_settings):
    fake = fake_discord
    guilds = [fake.add_guild(f"server {n}", guild_id=(375_000_000_000 + n) << 22) for n in range(4)]  # shards 0, 1, 0, 1
    channels = {g: fake.add_channel(g, "general") for g in guilds}
    members = {g: fake.add_member(g, "alice") for g in guilds}
    fake.recommended_shards = 2
    async with running_bot(dataclasses.replace(bot_settings, shard_count=2, shard_ids=(1,)), fake, cogs=()) as bot:
        assert sorted(g.id for g in bot.guilds) == [guilds[1], guilds[3]]
        assert [s.shard for s in fake.sessions if s.ready] == [(1, 2)]
        received: list[int] = []

        async def heard(message: discord.Message) -> None:
            received.append(message.guild.id)

        bot.add_listener(heard, "on_message")
        for g in guilds:
            await fake.send_message(channels[g], members[g], "hello")
        await eventually(lambda: len(received) == 2)
        await fake.remove_guild(guilds[0])  # another shard's guild: this connection hears nothing
        assert sorted(received) == [guilds[1], guilds[3]] and bot.get_guild(guilds[3]) is not None
    # An unsharded connection still gets every guild; /gateway/bot recommends the fake's count.
    async with running_bot(bot_settings, fake, cogs=()) as bot:
        assert sorted(g.id for g in bot.guilds) == sorted(guilds[1:])
        assert (await bot.http.get_bot_gateway())[0] == 2


async def test_one_process_on_sqlite_runs_every_job(start_bot, bot_settings):
    async with start_bot(cogs=("scheduler",), settings=dataclasses.replace(bot_settings, shard_count=2, shard_ids=(0,))) as bot:
        lock = bot_scheduler.scheduler_lock(bot.scheduler)
        assert lock.held == {0, bot_scheduler.GLOBAL_JOBS} and lock.runs("retention")
        assert bot.scheduler.get_job(bot_scheduler.RETENTION_JOB_ID) is not None
