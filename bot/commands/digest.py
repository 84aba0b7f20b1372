"""The daily digest commands (Manage Server): set it up, turn it off, preview it.

- `set_digest(services, context, channel=, time=, timezone=, sources=)` -> `DigestSet`; `set_text(result)`
- `digest_off(services, context)` -> `DigestOff`; `off_text(result)`
- `preview_digest(services, context)` -> `DigestPreview`; `preview_pages(result)`
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

import discord

from bot import digest as scheduled
from bot.commands.context import Accepted, CommandContext, Services, accept, require_current_history
from bot.services import digest as digests
from bot.services import guild_settings
from bot.services.errors import ChannelNotReadable, InvalidInput
from bot.services.render import digest_embeds, timestamp

PREVIEW_PROFILE = "fast"  # a preview is interactive; the posted digest uses digests.DIGEST_PROFILE


@dataclass(frozen=True, slots=True)
class DigestSet:
    schedule: digests.DigestSchedule
    target_mention: str
    reading: list[str]  # mentions of the configured source channels the digest will read
    every_channel: bool  # no sources given: every channel the target's readers can see
    next_run: datetime
    left_out: int  # configured sources not everyone in the target may read
    left_out_named: list[str]  # the left-out ones the admin may read (only those are named)


@dataclass(frozen=True, slots=True)
class DigestOff:
    was_on: bool


@dataclass(frozen=True, slots=True)
class DigestPreview:
    digest: digests.Digest


async def set_digest(
    services: Services,
    context: CommandContext,
    *,
    channel: int,
    time: str,
    timezone: str | None = None,
    sources: str | None = None,
) -> DigestSet:
    """Post a digest in `channel` every day at `time` ("09:00") in `timezone` (an IANA name; it becomes the
    server's one timezone, also for deadlines; default: the server's timezone), reading `sources` (channel
    mentions, ids or names; default: every channel the target's readers can see).
    Refused: no Manage Server (MissingManageServer); a bad time, timezone or source, or a channel the bot
    cannot post in (InvalidInput).
    """
    context.require_manage_guild()
    hour, minute = digests.parse_time(time)
    zone = guild_settings.valid_timezone(timezone) if timezone is not None else None
    view = context.guild
    target = view.channel(channel)
    if target is None or not view.bot_can_post(target.id):
        raise InvalidInput(f"I can't post in <#{channel}>: give me View Channel, Send Messages and Embed Links there.")
    listed = [c for c in view.channels() if c.is_text or c.is_thread]
    source_ids = digests.parse_channel_refs(sources, {c.name.lower(): c.id for c in listed}, {c.id for c in listed})
    async with services.sessions.begin() as session:
        if zone is not None:
            await guild_settings.set_timezone(session, context.guild_id, zone)
        else:
            zone = await guild_settings.guild_timezone(session, context.guild_id)
        schedule = digests.DigestSchedule(hour=hour, minute=minute, timezone=zone)
        await digests.save_config(
            session,
            guild_id=context.guild_id,
            target_channel_id=target.id,
            schedule=schedule,
            source_channel_ids=source_ids,
            user_id=context.user_id,
        )
    job = await asyncio.to_thread(scheduled.schedule_digest, services.scheduler, context.guild_id, schedule)
    kept, left_out = scheduled.source_channels(view, target.id, source_ids)
    kept_ids = {c.id for c in kept}
    # Name only the left-out channels the admin can read: the reply must not reveal the others.
    named = [
        found.mention
        for found in (view.channel(i) for i in source_ids)
        if found is not None and found.id not in kept_ids and view.member_can_read(found.id)
    ]
    return DigestSet(
        schedule=schedule,
        target_mention=target.mention,
        reading=[f"<#{c.id}>" for c in kept],
        every_channel=not source_ids,
        next_run=job.next_run_time,
        left_out=left_out,
        left_out_named=named,
    )


def set_text(result: DigestSet) -> str:
    reading = "every channel its readers can see" if result.every_channel else (", ".join(result.reading) or "no channel")
    lines = [
        f"Daily digest set: {result.schedule.time_text} {result.schedule.timezone} in {result.target_mention}, reading {reading}.",
        f"Next one: {timestamp(result.next_run, 'F')}.",
    ]
    if result.left_out:
        named = result.left_out_named
        lines.append(
            f"Left out {result.left_out} channel(s) that not everyone in {result.target_mention} may read"
            + (f": {', '.join(named)}." if named else ".")
        )
    return "\n".join(lines)


async def digest_off(services: Services, context: CommandContext) -> DigestOff:
    """Stop the server's daily digest. Refused: no Manage Server (MissingManageServer)."""
    context.require_manage_guild()
    async with services.sessions.begin() as session:
        was_on = await digests.disable(session, context.guild_id, context.user_id)
    await asyncio.to_thread(scheduled.unschedule_digest, services.scheduler, context.guild_id)
    return DigestOff(was_on=was_on)


def off_text(result: DigestOff) -> str:
    return "Daily digest turned off." if result.was_on else "There was no daily digest to turn off."


async def preview_digest(services: Services, context: CommandContext, *, accepted: Accepted | None = None) -> DigestPreview:
    """The digest as a post right now would show it (the last day up to now); nothing is posted or claimed.
    Refused: no Manage Server (MissingManageServer); no digest set or its channel is gone (InvalidInput); the
    asking admin cannot read the digest's channel (ChannelNotReadable: the digest shows what its readers see).
    """
    context.require_manage_guild()
    async with services.sessions() as session:
        config = await digests.load_config(session, context.guild_id)
        if config is None or not config.enabled:
            raise InvalidInput("There is no daily digest here yet: set one with /digest set.")
        schedule = await digests.schedule_for(session, config)
    view = context.guild
    target = view.channel(config.target_channel_id)
    if target is None:
        raise InvalidInput("The digest's channel no longer exists: choose another with /digest set.")
    if not view.member_can_read(target.id):
        raise ChannelNotReadable()
    await accept(accepted)
    await require_current_history(services, context.guild_id)
    now = datetime.now(UTC).astimezone(schedule.zone)
    preview_schedule = digests.DigestSchedule(hour=now.hour, minute=now.minute, timezone=schedule.timezone)
    digest = await scheduled.build_digest(
        services, context.guild_id, view, target.id, config.source_channel_ids, now, preview_schedule, profile=PREVIEW_PROFILE
    )
    return DigestPreview(digest=digest)


def preview_pages(result: DigestPreview) -> list[discord.Embed]:
    embeds = digest_embeds(result.digest)
    embeds[0].title = f"Preview · {embeds[0].title}"
    return embeds
