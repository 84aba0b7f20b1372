"""Stores every guild message the bot can read, keeps edits and deletions in step, and catches up after downtime."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import discord
from discord.ext import commands

from bot import discord_convert as convert
from bot.client import Smolcord
from bot.ingest import (
    AdvanceCursor,
    DeleteChannel,
    DeleteGuild,
    DeleteMessages,
    EditMessage,
    RecordGap,
    RecordPlaces,
    SaveMessage,
    is_transient,
)
from bot.services.access import bot_can_read
from bot.storage.messages import (
    MessageRow,
    collected_marks,
    guild_retention_days,
    known_gaps,
    latest_message_id,
    nth_newest_message_id,
    stored_versions,
)

log = logging.getLogger(__name__)

Place = discord.abc.GuildChannel | discord.Thread
PAGE = 100  # Discord's largest history page
# Reconciliation covers at least the newest this many stored messages of a channel: /summarize's default window.
RECONCILE_MIN_MESSAGES = 100
# Fields compared with Discord's copy when reconciling (what an edit can change).
EDITABLE_FIELDS = ("content", "edited_at", "mention_ids", "attachments", "embeds")
CONCURRENT_GUILD_CATCH_UPS = 3  # guilds caught up at once (each one channel at a time)
NO_END = (1 << 63) - 1  # the largest id a BIGINT holds


def save_operation(message: discord.Message, *, advance_cursor: bool = False) -> SaveMessage:
    assert message.guild is not None
    return SaveMessage(
        row=convert.message_row(message),
        guild=convert.guild_row(message.guild),
        channels=convert.channel_rows(message.channel),
        members=convert.message_members(message),
        advance_cursor=advance_cursor,
    )


def changed_fields(stored: MessageRow, current: MessageRow) -> dict[str, Any]:
    """What Discord's copy of a message has that the stored one does not (an edit made while the bot was away)."""
    changed: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        old, new = getattr(stored, name), getattr(current, name)
        if name == "edited_at":
            if new is not None and (old is None or abs((new - old).total_seconds()) > 0.001):
                changed[name] = new
        elif isinstance(new, list):
            if list(old or []) != new:
                changed[name] = new
        elif (old or "") != (new or ""):
            changed[name] = new
    return changed


class Collector(commands.Cog):
    """Gateway listeners that feed the MessageWriter; catch-up and reconciliation per guild when it becomes available.

    Each channel has a cursor (`channels.collected_up_to`): everything up to it was received. Catch-up pages
    forward from it (oldest first) until it meets the first message this gateway session delivered live, moving
    the cursor as each page is written, so a crash mid-way resumes where it stopped. Live messages move the
    cursor only in channels whose history is complete (`_in_sync`). On the way it reconciles the recent window
    (SMOLCORD_RECONCILE_HOURS, and at least the newest RECONCILE_MIN_MESSAGES) with Discord's copy: edits made
    while the bot was away are applied and deleted messages erased.
    """

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        self.writer = bot.writer  # the bot owns it (started and closed with the bot)
        self.writer.on_dropped = self._message_not_queued
        self._catchups: dict[int, asyncio.Task[int]] = {}
        self._catch_up_slots = asyncio.Semaphore(CONCURRENT_GUILD_CATCH_UPS)
        self._channel_catchups: dict[int, asyncio.Task[int]] = {}
        self._resync: asyncio.Task[None] | None = None
        # Per channel, everything up to this id was received (the cursor as queued for the database).
        self._cursor: dict[int, int] = {}
        # Channels whose stored history is complete up to the newest live message: live messages move their cursor.
        self._in_sync: set[int] = set()
        # Channels a catch-up of this gateway session has covered or is covering.
        self._covered: set[int] = set()
        # Channels whose live messages could not be queued (the writer's queue was full): fetched again from history.
        self._dirty: set[int] = set()
        # Per channel, the first message id delivered live in this gateway session, and the newest.
        self._first_live: dict[int, int] = {}
        self._received_up_to: dict[int, int] = {}
        # Messages edited live in this session: Discord's copy in a catch-up page may be older than the edit.
        self._edited_live: set[int] = set()
        self._gaps: dict[int, tuple[int, int]] = {}
        self.stats = CatchUpStats()

    async def cog_load(self) -> None:
        self.bot.collector = self
        # Read before the gateway connects, so no message of the coming session can be in these marks.
        async with self.bot.sessions() as session:
            self._cursor = await collected_marks(session)
            self._gaps = {g.channel_id: (g.after_id, g.before_id) for g in await known_gaps(session)}

    async def cog_unload(self) -> None:
        if self.bot.collector is self:
            self.bot.collector = None
        tasks = [*self._catchups.values(), *self._channel_catchups.values(), *([self._resync] if self._resync else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def flush(self) -> None:
        """Wait until every message received so far is in the database."""
        await self.writer.flush()

    async def wait_guild_caught_up(self, guild_id: int) -> None:
        """Wait for the guild's running catch-up (missed messages, edits and deletes) and the writes queued so far."""
        running = self._catchups.get(guild_id)
        if running is not None and not running.done():
            await asyncio.wait([running])
        await self.writer.flush()

    async def wait_caught_up(self) -> int:
        """Wait for running catch-ups and the writes they queued; returns how many messages they fetched."""
        while True:
            running = [
                t
                for t in (*self._catchups.values(), *self._channel_catchups.values(), *([self._resync] if self._resync else []))
                if not t.done()
            ]
            if not running:
                break
            await asyncio.wait(running)
        fetched = 0
        for task in (*self._catchups.values(), *self._channel_catchups.values()):
            if not task.cancelled() and task.exception() is None:
                fetched += task.result()
        await self.writer.flush()
        return fetched

    # ------------------------------------------------------------------ live messages
    @commands.Cog.listener()
    async def on_connect(self) -> None:
        # A new gateway session (not a resume): what was posted since the last one is only in history.
        self._first_live.clear()
        self._in_sync.clear()
        self._covered.clear()
        self._edited_live.clear()
        for guild_id in [g for g, task in self._catchups.items() if task.done()]:
            del self._catchups[guild_id]

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not convert.is_storable(message):
            return
        channel_id = message.channel.id
        self._first_live.setdefault(channel_id, message.id)
        if message.id > self._received_up_to.get(channel_id, 0):
            self._received_up_to[channel_id] = message.id
        in_sync = channel_id in self._in_sync
        if self.writer.put(save_operation(message, advance_cursor=in_sync)) and in_sync:
            self._cursor[channel_id] = max(self._cursor.get(channel_id, 0), message.id)
        if channel_id not in self._covered and message.guild is not None and self._guild_caught_up(message.guild.id):
            # A channel no catch-up has looked at (a thread created or unarchived since): its history before this message.
            self._start_channel_catch_up(message.channel)  # type: ignore[arg-type]

    def _message_not_queued(self, channel_id: int) -> None:
        # The writer's queue is full (the database is away): this channel's history is fetched again once it is back.
        if channel_id not in self._dirty:
            log.warning("write queue full: channel %s will be fetched from history when the database is back", channel_id)
        self._dirty.add(channel_id)
        self._in_sync.discard(channel_id)
        if self._resync is None or self._resync.done():
            self._resync = asyncio.get_running_loop().create_task(self._resync_dirty(), name="smolcord-resync")

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if payload.guild_id is None:
            return
        fields = convert.edit_fields(cast(dict[str, Any], payload.data), payload.message)
        if_unknown = None
        if convert.is_full_message(cast(dict[str, Any], payload.data)) and convert.is_storable(payload.message):
            if_unknown = save_operation(payload.message)
        if fields or if_unknown is not None:
            self._edited_live.add(payload.message_id)
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
        self._forget_place(channel.id)
        self.writer.put(DeleteChannel(channel.id))

    @commands.Cog.listener()
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        self._forget_place(payload.thread_id)
        self.writer.put(DeleteChannel(payload.thread_id))

    def _forget_place(self, channel_id: int) -> None:
        for state in (self._cursor, self._received_up_to, self._first_live, self._gaps):
            state.pop(channel_id, None)
        self._in_sync.discard(channel_id)

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

    def _record_channel(self, channel: Place) -> None:
        if isinstance(channel, (*convert.MESSAGE_CHANNEL_TYPES, *convert.PARENT_CHANNEL_TYPES)) and bot_can_read(channel, channel.guild):
            self.writer.put(RecordPlaces(convert.guild_row(channel.guild), convert.channel_rows(channel)))

    # ------------------------------------------------------------------ catch-up
    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.start_catch_up(guild)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.start_catch_up(guild)

    def _guild_catching_up(self, guild_id: int) -> bool:
        task = self._catchups.get(guild_id)
        return task is not None and not task.done()

    def _guild_caught_up(self, guild_id: int) -> bool:
        task = self._catchups.get(guild_id)
        return task is not None and task.done()

    def start_catch_up(self, guild: discord.Guild) -> None:
        if self._guild_catching_up(guild.id):
            return
        self._catchups[guild.id] = asyncio.create_task(self.catch_up(guild), name=f"smolcord-catch-up-{guild.id}")

    def _start_channel_catch_up(self, channel: Place) -> None:
        if not isinstance(channel, convert.MESSAGE_CHANNEL_TYPES) or not bot_can_read(channel, channel.guild):
            return
        self._covered.add(channel.id)
        running = self._channel_catchups.get(channel.id)
        if running is not None and not running.done():
            return

        async def run() -> int:
            floor = await self.retention_floor(channel.guild)
            return await self._catch_up_safely(channel, floor, self._reconcile_since())

        self._channel_catchups[channel.id] = asyncio.create_task(run(), name=f"smolcord-catch-up-channel-{channel.id}")

    def readable_channels(self, guild: discord.Guild) -> list[Place]:
        """Text channels and active threads whose history the bot may read."""
        channels: list[Place] = [c for c in guild.channels if isinstance(c, convert.MESSAGE_CHANNEL_TYPES)]
        channels += [t for t in guild.threads if not t.archived]
        return [c for c in channels if bot_can_read(c, guild)]

    async def archived_threads(self, guild: discord.Guild, since: datetime) -> list[discord.Thread]:
        """Threads archived after `since` (they may have messages, edits or deletes the bot has not seen)."""
        found: list[discord.Thread] = []
        parents = [c for c in guild.channels if isinstance(c, (discord.TextChannel, discord.ForumChannel)) and bot_can_read(c, c.guild)]
        for parent in parents:
            kinds = [False]
            if isinstance(parent, discord.TextChannel) and parent.permissions_for(guild.me).manage_threads:
                kinds.append(True)  # private archived threads need Manage Threads
            for private in kinds:
                try:
                    async for thread in parent.archived_threads(private=private, limit=None):  # type: ignore[call-arg]
                        archived_at = thread.archive_timestamp
                        if archived_at is not None and archived_at < since:
                            break  # newest archived first: the rest were archived before
                        if bot_can_read(thread, thread.guild):
                            found.append(thread)
                except discord.HTTPException as exc:
                    log.warning("could not list archived threads of #%s (%s): %s", parent.name, parent.id, exc)
                await asyncio.sleep(0)
        return found

    def _reconcile_since(self) -> datetime | None:
        hours = self.bot.settings.reconcile_hours
        return datetime.now(UTC) - timedelta(hours=hours) if hours > 0 else None

    async def catch_up(self, guild: discord.Guild) -> int:
        """Per readable channel (and thread archived since the bot last looked): fetch what was posted after its
        cursor, and reconcile the recent window. Returns how many messages were fetched."""
        # After the start-up work that holds the loop once (the client's on_ready collects and freezes the heap):
        # the catch-up then never shares a moment with it. Live messages are stored meanwhile.
        await self.bot.wait_until_ready()
        async with self._catch_up_slots:  # a few servers at a time: Discord's rate limit is shared by all of them
            return await self._catch_up_guild(guild)

    async def _catch_up_guild(self, guild: discord.Guild) -> int:
        channels = self.readable_channels(guild)
        self._covered.update(c.id for c in channels)
        places = {row.id: row for c in channels for row in convert.channel_rows(c)}
        self.writer.put(RecordPlaces(convert.guild_row(guild), tuple(places.values())))
        floor = await self.retention_floor(guild)
        reconcile_since = self._reconcile_since()
        fetched = 0
        for channel in channels:
            fetched += await self._catch_up_safely(channel, floor, reconcile_since)
        # Archived threads: those archived since the oldest moment whose changes the bot may have missed.
        marks = [self._cursor[c.id] for c in channels if c.id in self._cursor]
        since = reconcile_since
        if marks:
            last_seen = discord.utils.snowflake_time(max(marks))
            since = last_seen if since is None else min(since, last_seen)
        if since is not None:
            if floor:
                since = max(since, discord.utils.snowflake_time(floor))
            for thread in await self.archived_threads(guild, since):
                if thread.id in self._covered:
                    continue
                self._covered.add(thread.id)
                self.writer.put(RecordPlaces(convert.guild_row(guild), convert.channel_rows(thread)))
                fetched += await self._catch_up_safely(thread, floor, reconcile_since)
        # Channels that got their first live message while this ran (a new thread): their history too.
        for channel_id in [c for c in self._first_live if c not in self._covered]:
            place = guild.get_channel_or_thread(channel_id)
            if place is not None:
                self._start_channel_catch_up(place)
        if fetched:
            log.info("caught up %d messages in %s", fetched, guild.name)
        gaps = [g for g in self._gaps if guild.get_channel_or_thread(g) is not None]
        if gaps:
            log.warning(
                "%s: %d channel(s) still have a known gap (SMOLCORD_CATCHUP_LIMIT); the next start continues", guild.name, len(gaps)
            )
        return fetched

    async def _catch_up_safely(self, channel: Place, floor: int, reconcile_since: datetime | None) -> int:
        try:
            return await self.catch_up_channel(channel, floor, reconcile_since)
        except asyncio.CancelledError:
            raise
        except discord.HTTPException as exc:
            log.warning("catch-up skipped #%s (%s): %s", channel.name, channel.id, exc)
        except Exception:
            log.exception("catch-up failed for #%s (%s)", channel.name, channel.id)
        return 0

    async def retention_floor(self, guild: discord.Guild) -> int:
        """The oldest message id worth fetching: nothing past the guild's retention is brought back."""
        async with self.bot.sessions() as session:
            days = await guild_retention_days(session, guild.id)
        if days is None:
            days = self.bot.settings.default_retention_days
        if days <= 0:
            return 0
        return discord.utils.time_snowflake(datetime.now(UTC) - timedelta(days=days))

    async def _fetch_page(
        self, channel: Place, *, after: int | None = None, before: int | None = None, limit: int = PAGE
    ) -> list[discord.Message]:
        """One REST call. `after`: the oldest `limit` messages after it, oldest first; else the newest before `before`."""
        self.stats.requests += 1
        if after is not None:
            history = channel.history(limit=limit, after=discord.Object(id=after), oldest_first=True)  # type: ignore[union-attr]
        else:
            history = channel.history(limit=limit, before=discord.Object(id=before) if before else None)  # type: ignore[union-attr]
        page = [message async for message in history]
        await asyncio.sleep(0)  # a page is built in one go: let the gateway in between pages
        return page

    async def catch_up_channel(self, channel: Place, floor: int = 0, reconcile_since: datetime | None = None) -> int:
        """Close the channel's gap and reconcile its recent window; returns how many messages were fetched."""
        channel_id = channel.id
        settings = self.bot.settings
        cursor = self._cursor.get(channel_id)
        async with self.bot.sessions() as session:
            if cursor is None:
                # Stored before cursors existed (or imported): the newest stored message older than this session.
                cursor = await latest_message_id(session, channel_id, before_id=self._first_live.get(channel_id))
            reconcile_from: int | None = None
            if reconcile_since is not None and cursor is not None:
                nth = await nth_newest_message_id(session, channel_id, RECONCILE_MIN_MESSAGES)
                reconcile_from = discord.utils.time_snowflake(reconcile_since)
                if nth is not None:
                    reconcile_from = min(reconcile_from, nth - 1)
        fetched = 0
        if cursor is None:
            # Never collected (a new channel, a server just joined): the newest messages before the first live one.
            fetched, cursor = await self._backfill(channel, floor, settings.backfill_limit)
        if cursor < floor:
            log.info("#%s (%s): messages older than the retention period are not fetched", channel.name, channel_id)
        cursor = max(cursor, floor)
        start = max(min(cursor, reconcile_from), floor) if reconcile_from is not None else cursor
        return fetched + await self._page_forward(channel, start=start, cursor=cursor, limit=settings.catchup_limit)

    async def _backfill(self, channel: Place, floor: int, limit: int) -> tuple[int, int]:
        """The newest `limit` messages of a channel never collected; returns how many, and the cursor after them."""
        first_live = self._first_live.get(channel.id)
        # Where the channel's history starts for the bot when there is nothing older to fetch: a minute before
        # this look (Discord's clock may differ from ours), so a message posted after it can never fall below the cursor.
        start = discord.utils.time_snowflake(datetime.now(UTC) - timedelta(minutes=1))
        if first_live:
            start = min(start, first_live - 1)
        if limit <= 0:
            self._advance(channel.id, start)
            return 0, start
        page = await self._fetch_page(channel, before=first_live, limit=limit)
        page = [m for m in page if m.id > floor]
        saves = [save_operation(m) for m in page if convert.is_storable(m)]
        await self.writer.wait_for_room()
        queued = [self.writer.put(save) for save in saves]
        self.stats.fetched += len(saves)
        newest = max((m.id for m in page), default=0)
        cursor = max(newest, start) if len(page) < limit else newest  # a short page: nothing older was left out
        if not page:
            cursor = start
        if all(queued):
            self._advance(channel.id, cursor)
        return len(saves), cursor

    async def _page_forward(self, channel: Place, *, start: int, cursor: int, limit: int, stop_at_live: bool = True) -> int:
        """Page oldest-first from `start`: reconcile what is stored, save what is after `cursor` and not stored.

        Stops at the first message this gateway session delivered live (unless `stop_at_live` is False: some
        live messages were never queued) or at the end of the history; with `limit` > 0 after that many new
        messages, recording the rest as a known gap.
        """
        channel_id = channel.id
        after = start
        fetched = 0
        complete = True  # every message scanned so far is queued: the cursor may pass it
        while True:
            page = await self._fetch_page(channel, after=after)
            last_page = len(page) < PAGE
            page_end = page[-1].id if page else after
            stored = await self._stored_versions(channel_id, after, NO_END if last_page else page_end)
            # Read after the stored rows: a live message already in them has set it.
            first_live = self._first_live.get(channel_id)
            # Stored messages in this range that Discord no longer has were deleted while the bot was away. Past the
            # last page only those older than this session's first live message can be judged (newer ones are live).
            covered_to = page_end if not last_page else (max(page_end, first_live - 1) if first_live else NO_END)
            on_discord = {m.id for m in page}
            gone = sorted(i for i in stored if i <= covered_to and i not in on_discord)
            if gone:
                log.debug(
                    "reconcile: %d stored messages of #%s are gone from Discord (range %s-%s, page %d)",
                    len(gone),
                    channel.name,
                    after,
                    covered_to,
                    len(page),
                )
                self.writer.put(DeleteMessages(gone))
                self.stats.deleted += len(gone)
            saves = []
            scanned_to = None
            reached_live = False
            for message in page:
                if stop_at_live and first_live is not None and message.id >= first_live:
                    reached_live = True  # from here on everything arrived live
                    break
                scanned_to = message.id
                if not convert.is_storable(message):
                    continue
                known = stored.get(message.id)
                if known is not None:
                    if message.id not in self._edited_live:
                        fields = changed_fields(known, convert.message_row(message))
                        if fields:
                            self.writer.put(EditMessage(message.id, fields))
                            self.stats.edited += 1
                elif message.id > cursor:
                    saves.append(save_operation(message))
                # Not stored and at or below the cursor: received before and erased since (forgotten, opted out).
            queued = [self.writer.put(save) for save in saves]
            complete = complete and all(queued)
            fetched += len(saves)
            self.stats.fetched += len(saves)
            if complete and scanned_to is not None and scanned_to > cursor:
                cursor = scanned_to
                self._advance(channel_id, cursor)
            after = page_end
            await self.writer.wait_for_room()
            if reached_live or last_page:
                break
            if limit > 0 and fetched >= limit:
                end = first_live or discord.utils.time_snowflake(datetime.now(UTC))
                self._record_gap(channel, (cursor, end))
                return fetched
        if complete:
            self._mark_in_sync(channel_id, cursor)
        return fetched

    async def _stored_versions(self, channel_id: int, after_id: int, up_to_id: int) -> dict[int, MessageRow]:
        """The stored rows of a page's range; waits out a database outage as the writer does."""
        delay = 0.05
        while True:
            try:
                async with self.bot.sessions() as session:
                    return await stored_versions(session, channel_id, after_id=after_id, up_to_id=up_to_id)
            except Exception as error:
                if not is_transient(error):
                    raise
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.writer.retry_max_s)

    def _advance(self, channel_id: int, message_id: int) -> None:
        if message_id > self._cursor.get(channel_id, 0):
            self._cursor[channel_id] = message_id
            self.writer.put(AdvanceCursor(channel_id, message_id))

    def _mark_in_sync(self, channel_id: int, cursor: int | None) -> None:
        """History is complete up to the live messages: move the cursor over them and let the next ones move it."""
        if channel_id in self._dirty:
            return
        self._in_sync.add(channel_id)
        newest_live = self._received_up_to.get(channel_id) if channel_id in self._first_live else None
        top = max(x for x in (cursor, newest_live, 0) if x is not None)
        if top:
            self._advance(channel_id, top)
        if self._gaps.pop(channel_id, None) is not None:
            self.writer.put(RecordGap(channel_id, None))
            log.info("the known gap in channel %s is closed", channel_id)

    def _record_gap(self, channel: Place, gap: tuple[int, int]) -> None:
        self._gaps[channel.id] = gap
        self.writer.put(RecordGap(channel.id, gap))
        since, until = (discord.utils.snowflake_time(i) for i in gap)
        log.warning(
            "catch-up limit reached in #%s (%s): messages from %s to %s not fetched yet (a known gap; the next start continues)",
            channel.name,
            channel.id,
            f"{since:%Y-%m-%d %H:%M}",
            f"{until:%Y-%m-%d %H:%M} UTC",
        )

    async def _resync_dirty(self) -> None:
        """After the write queue overflowed: once the database keeps up again, fetch the channels whose messages were not queued."""
        while self._dirty:
            await self.writer.wait_for_room()
            await self.writer.flush()
            for channel_id in sorted(self._dirty):
                self._dirty.discard(channel_id)  # a drop from now on marks it again and brings it round once more
                channel = self.bot.get_channel(channel_id)
                if channel is None:
                    continue
                floor = await self.retention_floor(channel.guild)  # type: ignore[union-attr]
                cursor = self._cursor.get(channel_id)
                try:
                    if cursor is None:
                        await self.catch_up_channel(channel, floor)  # type: ignore[arg-type]
                    else:
                        start = max(cursor, floor)
                        await self._page_forward(channel, start=start, cursor=start, limit=0, stop_at_live=False)  # type: ignore[arg-type]
                except discord.HTTPException as exc:
                    log.warning("could not fetch channel %s again: %s", channel_id, exc)
            await asyncio.sleep(0)


class CatchUpStats:
    """What catch-up and reconciliation did in this process (for logs and benchmarks)."""

    def __init__(self) -> None:
        self.requests = 0
        self.fetched = 0
        self.edited = 0
        self.deleted = 0


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Collector(bot))
