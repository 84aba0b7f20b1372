"""/digest set, off and preview: a daily digest posted at a local time, from channels its readers may see (Manage Server)."""

from __future__ import annotations

import asyncio
import logging
import zoneinfo
from functools import lru_cache

import discord
from discord import app_commands
from discord.ext import commands

from bot import digest as scheduled
from bot.client import Smolcord
from bot.commands import digest as digest_commands
from bot.services import digest as digests
from bot.services.access import interaction_context
from bot.services.limits import model_command_limits
from bot.services.paginator import send_pages

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


async def timezone_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    typed = current.strip().lower().replace(" ", "_")
    names = (
        [name for name in _zone_names() if typed in name.lower()]
        if typed
        else ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo"]
    )
    return [app_commands.Choice(name=name, value=name) for name in names[:25]]


class Digest(commands.Cog):
    digest = app_commands.Group(
        name="digest",
        description="A daily digest of this server's channels (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        self._catch_up_task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        async with self.bot.sessions() as session:
            schedules = await digests.enabled_schedules(session)
        # The job store is synchronous SQL: kept off the event loop, where it could wait on (and block)
        # an async write transaction that needs the loop to finish.
        restored = await asyncio.to_thread(scheduled.restore_missing_jobs, self.bot.scheduler, schedules)
        if restored:
            log.info("scheduled %d digest job(s) missing from the job store", restored)

    async def cog_unload(self) -> None:
        if self._catch_up_task is not None:
            self._catch_up_task.cancel()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # A digest whose job already fired when the bot went down is not re-run by APScheduler.
        if self._catch_up_task is None or self._catch_up_task.done():
            self._catch_up_task = asyncio.create_task(self._catch_up(), name="digest-catch-up")

    async def _catch_up(self) -> None:
        try:
            for guild_id, status in await scheduled.catch_up(self.bot):
                log.info("digest catch-up for guild %s: %s", guild_id, status)
        except Exception:
            log.exception("digest catch-up failed")

    @digest.command(name="set", description="Post a daily digest in a channel at a local time")
    @app_commands.describe(
        channel="Where the digest is posted",
        time="Local time, 24-hour HH:MM (e.g. 09:00)",
        timezone="IANA timezone, e.g. Europe/Berlin; it becomes the server's timezone (default: the server's)",
        sources="Channels to digest, e.g. #general #dev (default: every channel this channel's readers can see)",
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete)
    async def set_digest(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        sources: app_commands.Range[str, 1, 1500] | None = None,
    ) -> None:
        result = await digest_commands.set_digest(
            self.bot, interaction_context(interaction), channel=channel.id, time=time, timezone=timezone, sources=sources
        )
        await interaction.response.send_message(
            digest_commands.set_text(result), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    @digest.command(name="off", description="Stop the daily digest")
    async def digest_off(self, interaction: discord.Interaction) -> None:
        result = await digest_commands.digest_off(self.bot, interaction_context(interaction))
        await interaction.response.send_message(digest_commands.off_text(result), ephemeral=True)

    @digest.command(name="preview", description="See the digest as it would look now (only you see it)")
    @model_command_limits()
    async def preview(self, interaction: discord.Interaction) -> None:
        result = await digest_commands.preview_digest(
            self.bot,
            interaction_context(interaction),
            accepted=lambda: interaction.response.defer(ephemeral=True, thinking=True),
        )
        await send_pages(interaction, digest_commands.preview_pages(result), ephemeral=True)


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Digest(bot))
