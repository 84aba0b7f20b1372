"""Stores every guild message the bot can read, keeps edits and deletions in step, and catches up after downtime."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import discord
from discord.ext import commands

from bot import discord_convert as convert
from bot.client import Smolcord
from bot.ingest import (
    DeleteChannel,
    DeleteGuild,
    DeleteMessages,
    EditMessage,
    RecordPlaces,
    SaveMessage,
)
from bot.services.access import bot_can_read
from bot.storage.messages import collected_marks, guild_retention_days, latest_message_id

log = logging.getLogger(__name__)


def save_operation(message: discord.Message) -> SaveMessage:
    assert message.guild is not None
    return SaveMessage(
        row=convert.message_row(message),
        guild=convert.guild_row(message.guild),
        channels=convert.channel_rows(message.channel),
        members=convert.message_members(message),
    )


class Collector(commands.Cog):
    """Gateway listeners that feed the MessageWriter; catch-up per guild when it becomes available."""

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        self.writer = bot.writer  # the bot owns it (started and closed with the bot)
        self._catchups: dict[int, asyncio.Task[int]] = {}
        # Per channel, the first message id delivered live in this gateway session: catch-up reads the stored
        # history below it, so live messages written meanwhile can never hide a gap.
        self._first_live: dict[int, int] = {}
        # Per channel, the newest message id received (stored or not), and its value when this session began:
        # catch-up never fetches at or below it, so forgotten, opted-out or expired messages stay gone.
        self._received_up_to: dict[int, int] = {}
        self._session_marks: dict[int, int] = {}

    async def cog_load(self) -> None:
        # Read before the gateway connects, so no message of the coming session can be in these marks.
        async with self.bot.sessions() as session:
            self._received_up_to = await collected_marks(session)
        self._session_marks = dict(self._received_up_to)

    async def cog_unload(self) -> None:
        for task in self._catchups.values():
            task.cancel()
        await asyncio.gather(*self._catchups.values(), return_exceptions=True)
        await self.writer.flush()

    async def flush(self) -> None:
        """Wait until every message received so far is in the database."""
        await self.writer.flush()

    async def wait_caught_up(self) -> int:
        """Wait for running catch-ups and the writes they queued; returns how many messages they fetched."""
        fetched = 0
        while True:
            running = [t for t in self._catchups.values() if not t.done()]
            if not running:
                break
            await asyncio.wait(running)
        for task in self._catchups.values():
            if not task.cancelled() and task.exception() is None:
                fetched += task.result()
        await self.writer.flush()
        return fetched

    # ------------------------------------------------------------------ live messages
    @commands.Cog.listener()
    async def on_connect(self) -> None:
        # A new gateway session (not a resume): what was posted since the last one is only in history.
        self._first_live.clear()
        self._session_marks = dict(self._received_up_to)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not convert.is_storable(message):
            return
        self._first_live.setdefault(message.channel.id, message.id)
        self._save(message)

    def _save(self, message: discord.Message) -> None:
        channel_id = message.channel.id
        if message.id > self._received_up_to.get(channel_id, 0):
            self._received_up_to[channel_id] = message.id
        self.writer.put(save_operation(message))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id is None:
            return
        fields = convert.edit_fields(payload.data, payload.message)
        if_unknown = None
        if convert.is_full_message(payload.data) and convert.is_storable(payload.message):
            if_unknown = save_operation(payload.message)
        if fields or if_unknown is not None:
            self.writer.put(EditMessage(payload.message_id, fields, if_unknown))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            self.writer.put(DeleteMessages([payload.message_id]))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        if payload.guild_id is not None:
            self.writer.put(DeleteMessages(sorted(payload.message_ids)))

    # ------------------------------------------------------------------ places
    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        self._received_up_to.pop(channel.id, None)
        self.writer.put(DeleteChannel(channel.id))

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        self._received_up_to.pop(payload.thread_id, None)
        self.writer.put(DeleteChannel(payload.thread_id))

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        task = self._catchups.pop(guild.id, None)
        if task is not None:
            task.cancel()
        self.writer.put(DeleteGuild(guild.id))

    @commands.Cog.listener()
    async def on_guild_update(self, _before: discord.Guild, after: discord.Guild) -> None:
        self.writer.put(RecordPlaces(convert.guild_row(after)))

    @commands.Cog.listener()
    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        self._record_channel(channel)

    @commands.Cog.listener()
    async def on_guild_channel_update(self, _before: discord.abc.GuildChannel, after: discord.abc.GuildChannel) -> None:
        self._record_channel(after)

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        self._record_channel(thread)

    @commands.Cog.listener()
    async def on_thread_update(self, _before: discord.Thread, after: discord.Thread) -> None:
        self._record_channel(after)

    def _record_channel(self, channel: discord.abc.GuildChannel | discord.Thread) -> None:
        if isinstance(channel, (*convert.MESSAGE_CHANNEL_TYPES, *convert.PARENT_CHANNEL_TYPES)) and bot_can_read(channel, channel.guild):
            self.writer.put(RecordPlaces(convert.guild_row(channel.guild), convert.channel_rows(channel)))

    # ------------------------------------------------------------------ catch-up
    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.start_catch_up(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.start_catch_up(guild)

    def start_catch_up(self, guild: discord.Guild) -> None:
        running = self._catchups.get(guild.id)
        if running is not None and not running.done():
            return
        self._catchups[guild.id] = asyncio.create_task(self.catch_up(guild), name=f"smolcord-catch-up-{guild.id}")

    def readable_channels(self, guild: discord.Guild) -> list[discord.abc.GuildChannel | discord.Thread]:
        """Text channels and active threads whose history the bot may read."""
        channels: list[discord.abc.GuildChannel | discord.Thread] = [
            c for c in guild.channels if isinstance(c, convert.MESSAGE_CHANNEL_TYPES)
        ]
        channels += [t for t in guild.threads if not t.archived]
        return [c for c in channels if bot_can_read(c, guild)]

    async def catch_up(self, guild: discord.Guild) -> int:
        """Fetch, per readable channel, what was posted after the newest message received there (the newest
        `catchup_limit` of it when more is missing, nothing past the retention). Returns how many were fetched."""
        channels = self.readable_channels(guild)
        places = {row.id: row for c in channels for row in convert.channel_rows(c)}
        self.writer.put(RecordPlaces(convert.guild_row(guild), tuple(places.values())))
        limit = self.bot.settings.catchup_limit
        if limit <= 0:
            return 0
        floor = await self.retention_floor(guild)
        fetched = 0
        for channel in channels:
            try:
                fetched += await self.catch_up_channel(channel, limit, floor)
            except asyncio.CancelledError:
                raise
            except discord.HTTPException as exc:
                log.warning("catch-up skipped #%s (%s): %s", channel.name, channel.id, exc)
            except Exception:
                log.exception("catch-up failed for #%s (%s)", channel.name, channel.id)
        if fetched:
            log.info("caught up %d messages in %s", fetched, guild.name)
        return fetched

    async def retention_floor(self, guild: discord.Guild) -> int:
        """The oldest message id worth fetching: nothing past the guild's retention is brought back."""
        async with self.bot.sessions() as session:
            days = await guild_retention_days(session, guild.id)
        if days is None:
            days = self.bot.settings.default_retention_days
        if days <= 0:
            return 0
        return discord.utils.time_snowflake(datetime.now(timezone.utc) - timedelta(days=days))

    async def catch_up_channel(self, channel: discord.abc.GuildChannel | discord.Thread, limit: int, floor: int = 0) -> int:
        async with self.bot.sessions() as session:
            stored = await latest_message_id(session, channel.id, before_id=self._first_live.get(channel.id))
        cursor = max(stored or 0, self._session_marks.get(channel.id, 0), floor)
        after = discord.Object(id=cursor) if cursor else None
        fetched = 0
        # Newest first, down to the cursor: if more than `limit` is missing, the recent part is what matters.
        async for message in channel.history(limit=limit, after=after, oldest_first=False):  # type: ignore[union-attr]
            if convert.is_storable(message):
                self._save(message)
                fetched += 1
        return fetched


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Collector(bot))
