"""/digest set, off and preview: a daily digest posted at a local time, from channels its readers may see (Manage Server)."""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from datetime import datetime, timezone
from functools import lru_cache

import discord
from discord import app_commands
from discord.ext import commands

from bot import digest as scheduled
from bot import scheduler as bot_scheduler
from bot.services import digest as digests
from bot.services.access import can_read_history, require_manage_guild
from bot.services.errors import ChannelNotReadable, InvalidInput
from bot.services.limits import model_command_limits
from bot.services.paginator import send_pages
from bot.services.render import digest_embeds, timestamp

log = logging.getLogger(__name__)

PREVIEW_PROFILE = "fast"  # a preview is interactive; the posted digest uses digests.DIGEST_PROFILE


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


async def timezone_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    typed = current.strip().lower().replace(" ", "_")
    names = [name for name in _zone_names() if typed in name.lower()] if typed else ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo"]
    return [app_commands.Choice(name=name, value=name) for name in names[:25]]


def _text_channels(guild: discord.Guild) -> tuple[dict[str, int], set[int]]:
    channels = [c for c in guild.channels if isinstance(c, discord.TextChannel)] + list(guild.threads)
    return {c.name.lower(): c.id for c in channels}, {c.id for c in channels}


class Digest(commands.Cog):
    digest = app_commands.Group(
        name="digest",
        description="A daily digest of this server's channels (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self._catch_up_task: asyncio.Task | None = None

    async def cog_load(self) -> None:
        scheduler = bot_scheduler.ensure_scheduler(self.bot)  # type: ignore[arg-type]
        async with self.bot.sessions() as session:  # type: ignore[attr-defined]
            configs = await digests.enabled_configs(session)
        # The job store is synchronous SQL: kept off the event loop, where it could wait on (and block)
        # an async write transaction that needs the loop to finish.
        restored = await asyncio.to_thread(scheduled.restore_missing_jobs, scheduler, configs)
        if restored:
            log.info("scheduled %d digest job(s) missing from the job store", restored)

    async def cog_unload(self) -> None:
        if self._catch_up_task is not None:
            self._catch_up_task.cancel()
        # Stopping joins the scheduler's thread, which may be waiting on the database: not on the loop.
        await asyncio.to_thread(bot_scheduler.shutdown_scheduler, self.bot)  # type: ignore[arg-type]

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # A digest whose job already fired when the bot went down is not re-run by APScheduler.
        if self._catch_up_task is None or self._catch_up_task.done():
            self._catch_up_task = asyncio.create_task(self._catch_up(), name="digest-catch-up")

    async def _catch_up(self) -> None:
        try:
            for guild_id, status in await scheduled.catch_up(self.bot):  # type: ignore[arg-type]
                log.info("digest catch-up for guild %s: %s", guild_id, status)
        except Exception:
            log.exception("digest catch-up failed")

    @digest.command(name="set", description="Post a daily digest in a channel at a local time")
    @app_commands.describe(
        channel="Where the digest is posted",
        time="Local time, 24-hour HH:MM (e.g. 09:00)",
        timezone="IANA timezone, e.g. Europe/Berlin (default UTC)",
        sources="Channels to digest, e.g. #general #dev (default: every channel this channel's readers can see)",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def set_digest(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] = "UTC",
        sources: app_commands.Range[str, 1, 1500] | None = None,
    ) -> None:
        require_manage_guild(interaction)
        guild = interaction.guild
        assert guild is not None
        schedule = digests.parse_schedule(time, timezone)
        me = guild.me
        permissions = channel.permissions_for(me) if me is not None else discord.Permissions.none()
        if not (permissions.view_channel and permissions.send_messages and permissions.embed_links):
            raise InvalidInput(f"I can't post in {channel.mention}: give me View Channel, Send Messages and Embed Links there.")
        names, known = _text_channels(guild)
        source_ids = digests.parse_channel_refs(sources, names, known)
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            await digests.save_config(
                session, guild_id=guild.id, target_channel_id=channel.id, schedule=schedule,
                source_channel_ids=source_ids, user_id=interaction.user.id,
            )
        scheduler = bot_scheduler.ensure_scheduler(self.bot)  # type: ignore[arg-type]
        job = await asyncio.to_thread(scheduled.schedule_digest, scheduler, guild.id, schedule)

        kept, left_out = scheduled.source_channels(guild, channel, source_ids)
        if source_ids:
            reading = ", ".join(c.mention for c in kept) or "no channel"
        else:
            reading = "every channel its readers can see"
        lines = [
            f"Daily digest set: {schedule.time_text} {schedule.timezone} in {channel.mention}, reading {reading}.",
            f"Next one: {timestamp(job.next_run_time, 'F')}.",
        ]
        if left_out:
            # Name only the channels the admin can read: the reply must not reveal the others.
            visible = [guild.get_channel_or_thread(i) for i in source_ids]
            named = [c.mention for c in visible if c is not None and c not in kept and can_read_history(c, interaction.user)]  # type: ignore[arg-type]
            lines.append(
                f"Left out {left_out} channel(s) that not everyone in {channel.mention} may read"
                + (f": {', '.join(named)}." if named else ".")
            )
        await interaction.response.send_message("\n".join(lines), ephemeral=True, allowed_mentions=discord.AllowedMentions.none())

    @digest.command(name="off", description="Stop the daily digest")
    async def digest_off(self, interaction: discord.Interaction) -> None:
        require_manage_guild(interaction)
        async with self.bot.sessions.begin() as session:  # type: ignore[attr-defined]
            was_on = await digests.disable(session, interaction.guild_id, interaction.user.id)  # type: ignore[arg-type]
        scheduler = bot_scheduler.current_scheduler()
        if scheduler is not None:
            await asyncio.to_thread(scheduled.unschedule_digest, scheduler, interaction.guild_id)  # type: ignore[arg-type]
        text = "Daily digest turned off." if was_on else "There was no daily digest to turn off."
        await interaction.response.send_message(text, ephemeral=True)

    @digest.command(name="preview", description="See the digest as it would look now (only you see it)")
    @model_command_limits()
    async def preview(self, interaction: discord.Interaction) -> None:
        require_manage_guild(interaction)
        guild = interaction.guild
        assert guild is not None
        async with self.bot.sessions() as session:  # type: ignore[attr-defined]
            config = await digests.load_config(session, guild.id)
        if config is None or not config.enabled:
            raise InvalidInput("There is no daily digest here yet: set one with /digest set.")
        target = guild.get_channel_or_thread(config.target_channel_id)
        if target is None:
            raise InvalidInput("The digest's channel no longer exists: choose another with /digest set.")
        if not can_read_history(target, interaction.user):  # type: ignore[arg-type]
            # The digest shows what the target's readers may see; someone outside them sees none of it.
            raise ChannelNotReadable()
        await interaction.response.defer(ephemeral=True, thinking=True)
        schedule = digests.schedule_of(config)
        # The window a digest posted right now would cover: the last day up to this moment.
        now = datetime.now(timezone.utc).astimezone(schedule.zone)
        preview_schedule = digests.DigestSchedule(hour=now.hour, minute=now.minute, timezone=schedule.timezone)
        digest = await scheduled.build_digest(
            self.bot, guild, target, config.source_channel_ids, now, preview_schedule, profile=PREVIEW_PROFILE  # type: ignore[arg-type]
        )
        embeds = digest_embeds(digest)
        embeds[0].title = f"Preview · {embeds[0].title}"
        await send_pages(interaction, embeds, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Digest(bot))
