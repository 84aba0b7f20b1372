"""The collector's write path: gateway events become queued operations that one writer task commits in batches."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage import messages as store
from bot.storage.messages import ChannelRow, GuildRow, MemberRow, MessageRow

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SaveMessage:
    row: MessageRow
    guild: GuildRow
    channels: tuple[ChannelRow, ...]
    members: tuple[MemberRow, ...] = ()
    # Live messages of a channel whose history is complete up to here move its catch-up cursor along
    # (in the same transaction); during a catch-up they do not, so a crash leaves the cursor before the gap.
    advance_cursor: bool = False


@dataclass(slots=True)
class AdvanceCursor:
    """Everything in the channel up to `message_id` has been received: catch-up resumes after it."""

    channel_id: int
    message_id: int


@dataclass(slots=True)
class RecordGap:
    """A known range of a channel's history that was not fetched (None: the channel has no gap any more)."""

    channel_id: int
    gap: tuple[int, int] | None


@dataclass(slots=True)
class RecordPlaces:
    """Guild and channel names seen on the gateway (no messages)."""

    guild: GuildRow
    channels: tuple[ChannelRow, ...] = ()


@dataclass(slots=True)
class EditMessage:
    message_id: int
    fields: dict[str, Any]
    # A full update payload for a message we never stored (sent while we were away): store it instead.
    if_unknown: SaveMessage | None = None


@dataclass(slots=True)
class DeleteMessages:
    ids: list[int]


@dataclass(slots=True)
class DeleteChannel:
    channel_id: int


@dataclass(slots=True)
class DeleteGuild:
    guild_id: int


@dataclass(slots=True)
class Barrier:
    """Resolved once everything queued before it is committed."""

    done: asyncio.Future[None]


Operation = SaveMessage | AdvanceCursor | RecordGap | RecordPlaces | EditMessage | DeleteMessages | DeleteChannel | DeleteGuild | Barrier

# Errors that say the database is away (restarting, unreachable, locked), not that an operation is wrong.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
    ConnectionError,
    OSError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    # asyncpg's "the database system is shutting down / starting up" (57P01-57P03) and lost connections.
    original = getattr(error, "orig", None) or error.__cause__
    name = type(original).__name__ if original is not None else ""
    sqlstate = str(getattr(original, "sqlstate", "") or getattr(getattr(original, "__cause__", None), "sqlstate", "") or "")
    return sqlstate.startswith(("57P", "08")) or name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "ConnectionFailureError",
    }


@dataclass
class WriterStats:
    batches: int = 0
    operations: int = 0
    saved: int = 0
    failed_operations: int = 0  # operations the database refused as wrong (not an outage): logged and skipped
    largest_batch: int = 0
    retries: int = 0  # commits retried after a transient database error
    dropped_saves: int = 0  # live messages not queued because the queue was full (their channels are caught up)
    peak_pending: int = 0


class MessageWriter:
    """Queue of write operations committed in order by one background task.

    Producers (gateway listeners) only append to a list: nothing they do waits for the database. The
    writer commits a batch when `batch_size` operations are waiting or `flush_interval` seconds after
    the first one arrived, in one transaction, so a burst of 2,000 messages is a handful of commits.
    Order is kept: a delete queued after a save runs after it.

    When the database is away (a restart, a locked SQLite file) the batch is retried with exponential
    backoff until it commits, in order, while new operations wait behind it. The queue is bounded:
    past `max_pending` operations a new message is not queued and `on_dropped(channel_id)` is called, so
    the collector fetches that channel's history once the database is back. Edits and deletes are
    always queued (they are few, and a delete must never be lost).
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        batch_size: int = 500,
        flush_interval: float = 0.25,
        max_pending: int = 100_000,
        on_dropped: Callable[[int], None] | None = None,
        retry_initial_s: float = 0.05,
        retry_max_s: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_pending = max_pending
        self.on_dropped = on_dropped
        self.retry_initial_s = retry_initial_s
        self.retry_max_s = retry_max_s
        self.stats = WriterStats()
        self.outage = False  # the last commit failed for a transient reason and is being retried
        self._room = asyncio.Event()
        self._room.set()
        self._pending: list[Operation] = []
        self._has_work = asyncio.Event()
        self._batch_full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        # Rows written in this process, so a burst in one channel does not upsert the same channel 2,000 times.
        self._known_guilds: dict[int, GuildRow] = {}
        self._known_channels: dict[int, ChannelRow] = {}
        self._known_members: dict[tuple[int, int], MemberRow] = {}

    # ------------------------------------------------------------------ producer side
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="smolcord-message-writer")

    def put(self, operation: Operation) -> bool:
        """Queue an operation without waiting; False when a message was not queued (closed, or the queue is full)."""
        if self._closed:
            log.debug("writer closed; dropping %s", type(operation).__name__)
            return False
        if isinstance(operation, SaveMessage) and len(self._pending) >= self.max_pending:
            self.stats.dropped_saves += 1
            if self.on_dropped is not None:
                self.on_dropped(operation.row.channel_id)
            return False
        self._pending.append(operation)
        self.stats.peak_pending = max(self.stats.peak_pending, len(self._pending))
        if len(self._pending) >= self.max_pending // 2:
            self._room.clear()
        self._has_work.set()
        if len(self._pending) >= self.batch_size or isinstance(operation, Barrier):
            self._batch_full.set()
        return True

    async def wait_for_room(self) -> None:
        """Wait until the queue is less than half full (for producers that may wait: catch-up, never the gateway)."""
        while len(self._pending) >= self.max_pending // 2:
            self._room.clear()
            await self._room.wait()

    def put_many(self, operations: Iterable[Operation]) -> None:
        for operation in operations:
            self.put(operation)

    async def flush(self) -> None:
        """Wait until everything queued so far is committed."""
        if self._closed and not self._pending:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.put(Barrier(done))
        if self._task is None or self._task.done():
            await self._write_batch(self._take())
        await done

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def close(self, *, timeout: float | None = 30.0) -> None:
        """Commit what is queued and stop the writer task. While the database is away this waits up to
        `timeout`: what is left is lost from the queue, but not from Discord (the catch-up cursor was not
        moved past it, so the next start fetches it)."""
        if self._closed:
            return
        try:
            await asyncio.wait_for(self.flush(), timeout)
        except TimeoutError:
            log.error(
                "the database did not come back within %.0f s: %d queued writes are left for the next start's catch-up",
                timeout,
                len(self._pending),
            )
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    # ------------------------------------------------------------------ writer side
    def _take(self) -> list[Operation]:
        batch, self._pending = self._pending, []
        self._has_work.clear()
        self._batch_full.clear()
        return batch

    def _note_room(self) -> None:
        if len(self._pending) < self.max_pending // 2:
            self._room.set()

    async def _run(self) -> None:
        while True:
            await self._has_work.wait()
            if not self._batch_full.is_set():
                try:
                    await asyncio.wait_for(self._batch_full.wait(), self.flush_interval)
                except TimeoutError:
                    pass
            # What is queued now is committed in slices of batch_size, each taken from the front of the queue
            # only when its turn comes: while one is retried through an outage, what arrives meanwhile
            # waits behind it (order kept) and counts against max_pending.
            left = len(self._pending)
            self._has_work.clear()
            self._batch_full.clear()
            while left > 0:
                batch = self._pending[: min(self.batch_size, left)]
                del self._pending[: len(batch)]
                left -= len(batch)
                try:
                    await self._write_batch(batch)
                finally:
                    self._note_room()
            if self._pending:
                self._has_work.set()
                if len(self._pending) >= self.batch_size:
                    self._batch_full.set()

    async def _write_batch(self, batch: list[Operation]) -> None:
        if not batch:
            return
        barriers = [op for op in batch if isinstance(op, Barrier)]
        work = [op for op in batch if not isinstance(op, Barrier)]
        try:
            if work:
                await self._commit(work)
            self.stats.batches += 1
            self.stats.operations += len(work)
            self.stats.largest_batch = max(self.stats.largest_batch, len(work))
        finally:
            for barrier in barriers:
                if not barrier.done.done():
                    barrier.done.set_result(None)

    async def _commit(self, work: list[Any]) -> None:
        """Commit `work` in one transaction, waiting out database outages; a wrong operation is isolated and skipped."""
        delay = self.retry_initial_s
        while True:
            try:
                async with self._sessions.begin() as session:
                    await self._apply(session, work)
            except Exception as error:
                # After a failed transaction nothing in it was written, cached or not.
                self._forget_known()
                if is_transient(error):
                    if not self.outage:
                        log.warning(
                            "the database is unavailable (%s); retrying until it is back, %d writes waiting",
                            type(error).__name__,
                            len(work) + len(self._pending),
                        )
                    self.outage = True
                    self.stats.retries += 1
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.retry_max_s)
                    continue
                if len(work) == 1:
                    self.stats.failed_operations += 1
                    log.exception("could not write %s; skipped", type(work[0]).__name__)
                    return
                # One wrong operation must not lose the rest: each in its own transaction (outages still waited out).
                log.exception("a batch of %d writes failed; retrying them one by one", len(work))
                for operation in work:
                    await self._commit([operation])
                return
            if self.outage:
                log.warning("the database is back; %d writes waiting", len(self._pending))
                self.outage = False
            return

    async def _apply(self, session: AsyncSession, operations: list[Operation]) -> None:
        saves: list[SaveMessage] = []
        for operation in operations:
            if isinstance(operation, SaveMessage):
                saves.append(operation)
                continue
            if saves:
                await self._save(session, saves)
                saves = []
            if isinstance(operation, AdvanceCursor):
                await store.advance_collected_marks(session, {operation.channel_id: operation.message_id})
            elif isinstance(operation, RecordGap):
                await store.record_gap(session, operation.channel_id, operation.gap)
            elif isinstance(operation, RecordPlaces):
                await self._record_places(session, [operation.guild], operation.channels, ())
            elif isinstance(operation, EditMessage):
                changed = await store.apply_edit(session, operation.message_id, **operation.fields)
                if not changed and operation.if_unknown is not None:
                    await self._save(session, [operation.if_unknown])
            elif isinstance(operation, DeleteMessages):
                await store.delete_messages(session, operation.ids)
            elif isinstance(operation, DeleteChannel):
                await store.delete_channel(session, operation.channel_id)
                self._forget_channel(operation.channel_id)
            elif isinstance(operation, DeleteGuild):
                await store.delete_guild(session, operation.guild_id)
                self._forget_guild(operation.guild_id)
        if saves:
            await self._save(session, saves)

    async def _save(self, session: AsyncSession, saves: list[SaveMessage]) -> None:
        await self._record_places(
            session,
            [s.guild for s in saves],
            [c for s in saves for c in s.channels],
            [m for s in saves for m in s.members],
        )
        self.stats.saved += await store.save_messages(session, [s.row for s in saves])
        newest: dict[int, int] = {}
        for save in saves:
            if save.advance_cursor:
                newest[save.row.channel_id] = max(newest.get(save.row.channel_id, 0), save.row.id)
        if newest:
            await store.advance_collected_marks(session, newest)

    async def _record_places(
        self, session: AsyncSession, guilds: list[GuildRow], channels: Iterable[ChannelRow], members: Iterable[MemberRow]
    ) -> None:
        for guild in {g.id: g for g in guilds}.values():
            if self._known_guilds.get(guild.id) != guild:
                await store.upsert_guild(session, guild)
                self._known_guilds[guild.id] = guild
        new_channels = _changed(channels, self._known_channels, lambda c: c.id)
        if new_channels:
            await store.upsert_channels(session, new_channels)
        new_members = _changed(members, self._known_members, lambda m: (m.guild_id, m.user_id))
        if new_members:
            await store.upsert_members(session, new_members)

    def _forget_known(self) -> None:
        # After a failed transaction nothing in it was written, cached or not.
        self._known_guilds.clear()
        self._known_channels.clear()
        self._known_members.clear()

    def _forget_channel(self, channel_id: int) -> None:
        for key in [k for k, c in self._known_channels.items() if k == channel_id or c.parent_id == channel_id]:
            del self._known_channels[key]

    def _forget_guild(self, guild_id: int) -> None:
        self._known_guilds.pop(guild_id, None)
        for key in [k for k, c in self._known_channels.items() if c.guild_id == guild_id]:
            del self._known_channels[key]
        for member_key in [k for k in self._known_members if k[0] == guild_id]:
            del self._known_members[member_key]


def _changed(rows: Iterable[Any], known: dict[Any, Any], key: Callable[[Any], Any]) -> list[Any]:
    fresh = {}
    for row in rows:
        if known.get(key(row)) != row:
            fresh[key(row)] = row
    known.update(fresh)
    return list(fresh.values())
