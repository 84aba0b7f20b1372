"""The daily digest on schedule: a persistent APScheduler job per guild that claims the day, builds the digest and posts it once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from agents.records import MessageRecord
from agents.runtime import ModelError, ModelManager
from agents.summarize import EmptyWindowError, Summary, summarize_messages
from bot import scheduler as bot_scheduler
from bot.commands.context import GuildView, Services
from bot.services import digest as digests
from bot.services.access import DiscordGuildView
from bot.services.models import active_model_key
from bot.services.render import digest_messages
from bot.services.summaries import chunk_cache
from bot.services.windows import MAX_MESSAGES
from bot.storage.messages import load_window
from bot.storage.summaries import DatabaseChunkCache
from bot.storage.tasks import list_tasks

if TYPE_CHECKING:
    from bot.client import Smolcord

log = logging.getLogger(__name__)

DIGEST_JOB = "bot.digest:run_scheduled_digest"
JOB_PREFIX = "digest:"
SUMMARIZATION = "summarization"
FALLBACK_MODEL = "extractive"
# How long a digest waits for the collector's catch-up and reconciliation after a start.
CATCH_UP_WAIT_S = 900


def job_id(guild_id: int) -> str:
    return f"{JOB_PREFIX}{guild_id}"


def schedule_digest(scheduler: BaseScheduler, guild_id: int, schedule: digests.DigestSchedule) -> Any:
    """(Re)schedule a guild's digest: a cron trigger in the guild's timezone, persisted in the job store."""
    return scheduler.add_job(
        DIGEST_JOB,
        CronTrigger(hour=schedule.hour, minute=schedule.minute, timezone=schedule.zone),
        args=[guild_id],
        id=job_id(guild_id),
        name=f"daily digest of guild {guild_id}",
        replace_existing=True,
        # Back within the grace time after downtime: post once (coalesce folds several missed days into one run).
        misfire_grace_time=digests.MISFIRE_GRACE_S,
        coalesce=True,
        max_instances=1,
    )


def unschedule_digest(scheduler: BaseScheduler, guild_id: int) -> bool:
    if scheduler.get_job(job_id(guild_id)) is None:
        return False
    scheduler.remove_job(job_id(guild_id))
    return True


def restore_missing_jobs(scheduler: BaseScheduler, schedules: Iterable[tuple[int, digests.DigestSchedule]]) -> int:
    """Schedule enabled digests that have no stored job. Stored jobs are never replaced: a replaced job
    would compute its next run from now and forget a run missed while the bot was down."""
    added = 0
    for guild_id, schedule in schedules:
        if scheduler.get_job(job_id(guild_id)) is None:
            schedule_digest(scheduler, guild_id, schedule)
            added += 1
    return added


async def run_scheduled_digest(guild_id: int) -> str:
    """The scheduler's job (referenced by import path; only the guild id is stored)."""
    bot = bot_scheduler.current_bot()
    if bot is None:
        log.info("digest job for guild %s fired with no bot running; skipped", guild_id)
        return "no bot"
    await bot.wait_until_ready()
    try:
        result = await post_digest(bot, guild_id)
    except Exception:
        log.exception("digest for guild %s failed; the day stays unclaimed for a retry", guild_id)
        return "failed"
    return result.status


@dataclass(frozen=True, slots=True)
class PostResult:
    status: str  # posted, already posted, disabled, no target, missed
    message_id: int | None = None


async def post_digest(bot: Smolcord, guild_id: int, *, now: datetime | None = None) -> PostResult:
    """Post the digest of the latest scheduled moment unless that day is already claimed."""
    now = now or datetime.now(UTC)
    async with bot.sessions() as session:
        config = await digests.load_config(session, guild_id)
        if config is None or not config.enabled:
            return PostResult("disabled")
        schedule = await digests.schedule_for(session, config)
    fire = schedule.latest_fire(now)
    guild = bot.get_guild(guild_id)
    target = guild.get_channel_or_thread(config.target_channel_id) if guild is not None else None
    if guild is None or not isinstance(target, discord.abc.Messageable):
        log.warning("digest for guild %s: target channel %s is gone; not posted", guild_id, config.target_channel_id)
        return PostResult("no target")
    day = fire.date()
    if (guild_id, day) in _POSTING:
        return PostResult("already posted")  # another run in this process is posting it right now
    _POSTING.add((guild_id, day))
    try:
        return await _claim_and_post(bot, guild, target, config, schedule, fire)
    finally:
        _POSTING.discard((guild_id, day))


# (guild, day) pairs a run of this process is posting: a claim without a recorded post and not in here was
# left by a process that died between claiming and recording.
_POSTING: set[tuple[int, Any]] = set()
# How far back in the target channel a left-over claim's post is looked for (the bot's own messages only).
RECOVERY_HISTORY_LIMIT = 500


async def _claim_and_post(
    bot: Smolcord, guild: discord.Guild, target: Any, config: Any, schedule: digests.DigestSchedule, fire: datetime
) -> PostResult:
    guild_id = guild.id
    if not await digests.claim_day(bot.sessions, guild_id, fire.date(), target.id):
        async with bot.sessions() as session:
            claim = await digests.unconfirmed_claim(session, guild_id, fire.date())
        if claim is None:
            return PostResult("already posted")
        # A previous process claimed the day and died before recording the post: was it posted?
        posted_id = await find_posted_digest(target, fire.date(), claimed_at=claim.posted_at)
        if posted_id is not None:
            await digests.confirm_day(bot.sessions, guild_id, fire.date(), posted_id)
            log.info("digest for guild %s (%s) was posted before a crash (message %s); recorded it", guild_id, fire.date(), posted_id)
            return PostResult("already posted", posted_id)
        log.info("digest for guild %s (%s) was claimed by a run that did not post it; posting it now", guild_id, fire.date())
    # Edits and deletes made while the bot was down are applied by the catch-up after a start: a digest must
    # not summarize a message deleted meanwhile, so it waits for that first.
    try:
        await asyncio.wait_for(bot.wait_caught_up(), CATCH_UP_WAIT_S)
    except TimeoutError:
        log.warning("digest for guild %s: the catch-up is still running after %d s; summarizing what is stored", guild_id, CATCH_UP_WAIT_S)
    try:
        digest = await build_digest(
            bot,
            guild.id,
            DiscordGuildView(guild, None),
            target.id,
            config.source_channel_ids,
            fire,
            schedule,
            profile=digests.DIGEST_PROFILE,
        )
        first_id: int | None = None
        for embeds in digest_messages(digest):
            message = await target.send(embeds=embeds, allowed_mentions=discord.AllowedMentions.none())
            first_id = first_id or message.id
    except BaseException:
        # Not posted: give the day back so the next run can post it ("nothing lost").
        await digests.release_day(bot.sessions, guild_id, fire.date())
        raise
    await digests.confirm_day(bot.sessions, guild_id, fire.date(), first_id or 0)
    log.info("digest for guild %s (%s) posted in channel %s", guild_id, fire.date(), target.id)
    return PostResult("posted", first_id)


async def find_posted_digest(target: Any, day: Any, *, claimed_at: datetime | None) -> int | None:
    """The id of the bot's own digest for `day` in the target channel's history, if it is there."""
    after = None
    if claimed_at is not None:
        claimed_at = claimed_at if claimed_at.tzinfo is not None else claimed_at.replace(tzinfo=UTC)
        after = claimed_at - timedelta(minutes=5)
    title = digests.digest_title(day)
    me = target.guild.me
    async for message in target.history(limit=RECOVERY_HISTORY_LIMIT, after=after, oldest_first=True):
        if message.author.id == me.id and message.embeds and (message.embeds[0].title or "") == title:
            return message.id
    return None


async def catch_up(bot: Smolcord, *, now: datetime | None = None) -> list[tuple[int, str]]:
    """After a restart: post each enabled digest whose latest moment passed within the grace time
    and is not posted yet (the claim makes this safe alongside APScheduler's own misfire run). A day
    claimed but never recorded (the process died in between) is looked for in the channel and posted if absent."""
    now = now or datetime.now(UTC)
    async with bot.sessions() as session:
        schedules = await digests.enabled_schedules(session)
        posted = {
            (p.guild_id, p.digest_date)
            for guild_id, _ in schedules
            for p in await digests.posts_for(session, guild_id)
            if p.message_id is not None
        }
    results = []
    for guild_id, schedule in schedules:
        fire = schedule.latest_fire(now)
        overdue = (now - fire).total_seconds()
        if overdue > digests.MISFIRE_GRACE_S or (guild_id, fire.date().isoformat()) in posted:
            continue
        if bot.get_guild(guild_id) is None:
            continue
        result = await post_digest(bot, guild_id, now=now)
        results.append((guild_id, result.status))
    return results


def source_channels(view: GuildView, target_id: int, configured: Sequence[int]) -> tuple[list[digests.SourceChannel], int]:
    """The channels a digest in `target_id` may read, and how many configured ones were left out.

    Empty `configured` means every text channel the bot can read. A channel is left out when the
    bot cannot read it or someone who sees the target could not see it.
    """
    if configured:
        candidates = [view.channel(channel_id) for channel_id in configured]
    else:
        candidates = [c for c in view.channels() if c.is_text]
    kept: list[digests.SourceChannel] = []
    left_out = 0
    for channel in candidates:
        if channel is None or not view.bot_can_read(channel.id) or not view.audience_may_see(channel.id, target_id):
            left_out += 1
            continue
        kept.append(digests.SourceChannel(channel.id, channel.name))
    return kept, left_out if configured else 0


async def build_digest(
    services: Services,
    guild_id: int,
    view: GuildView,
    target_id: int,
    configured_sources: Sequence[int],
    fire: datetime,
    schedule: digests.DigestSchedule,
    *,
    profile: str,
) -> digests.Digest:
    """The digest a post in `target_id` at `fire` shows: a summary per active source channel its readers may
    see, and the open tasks of those channels."""
    since, until = schedule.window(fire)
    manager = services.models
    registry = manager.registry
    await services.writer.flush()
    channels, left_out = source_channels(view, target_id, configured_sources)
    async with services.sessions() as session:
        model_key = await active_model_key(session, guild_id, SUMMARIZATION, registry)
        windows = {
            channel.id: await load_window(session, channel.id, since=since, before=until, limit=MAX_MESSAGES) for channel in channels
        }
        included = [c.id for c in channels]
        open_tasks = [task for task in await list_tasks(session, guild_id, status="open") if task.channel_id in included]
    digest = digests.Digest(
        guild_id=guild_id, day=fire.date(), since=since, until=until, model_key=model_key, open_tasks=list(open_tasks), left_out=left_out
    )
    cache = chunk_cache(services.sessions)
    for channel in channels:
        records = [r for r in windows[channel.id] if not r.is_bot]
        if not records:
            continue  # silent channels are skipped
        summary = await _summarize_or_fall_back(
            records, manager=manager, model_key=model_key, profile=profile, cache=cache, channel_id=channel.id
        )
        if summary is not None:
            digest.sections.append(digests.ChannelDigest(channel, summary))
    return digest


async def _summarize_or_fall_back(
    records: list[MessageRecord], *, manager: ModelManager, model_key: str, profile: str, cache: DatabaseChunkCache, channel_id: int
) -> Summary | None:
    """A digest is never lost to a busy or broken model: that channel falls back to the extractive summary."""
    try:
        return await summarize_messages(records, manager=manager, model_key=model_key, profile=profile, cache=cache, channel_id=channel_id)
    except EmptyWindowError:
        return None
    except ModelError as error:
        if model_key == FALLBACK_MODEL:
            raise
        log.warning("digest: model %s failed for channel %s (%s); using the extractive summary", model_key, channel_id, error)
        summary = await summarize_messages(records, manager=manager, model_key=FALLBACK_MODEL, profile=profile, channel_id=channel_id)
        summary.notes.append(f"{model_key} was unavailable ({error}); these are representative messages instead.")
        return summary
