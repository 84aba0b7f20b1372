"""The collector's write path: gateway events become queued operations that one writer task commits in batches."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Callable, Iterable

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


Operation = SaveMessage | RecordPlaces | EditMessage | DeleteMessages | DeleteChannel | DeleteGuild | Barrier


@dataclass
class WriterStats:
    batches: int = 0
    operations: int = 0
    saved: int = 0
    failed_operations: int = 0
    largest_batch: int = 0


class MessageWriter:
    """Queue of write operations committed in order by one background task.

    Producers (gateway listeners) only append to a list: nothing they do waits for the database. The
    writer commits a batch when `batch_size` operations are waiting or `flush_interval` seconds after
    the first one arrived, in one transaction, so a burst of 2,000 messages is a handful of commits.
    Order is kept: a delete queued after a save runs after it.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, batch_size: int = 500, flush_interval: float = 0.25) -> None:
        self._sessions = sessions
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.stats = WriterStats()
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

    def put(self, operation: Operation) -> None:
        if self._closed:
            log.debug("writer closed; dropping %s", type(operation).__name__)
            return
        self._pending.append(operation)
        self._has_work.set()
        if len(self._pending) >= self.batch_size or isinstance(operation, Barrier):
            self._batch_full.set()

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

    async def close(self) -> None:
        """Commit what is queued and stop the writer task."""
        if self._closed:
            return
        await self.flush()
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

    async def _run(self) -> None:
        while True:
            await self._has_work.wait()
            if not self._batch_full.is_set():
                try:
                    await asyncio.wait_for(self._batch_full.wait(), self.flush_interval)
                except TimeoutError:
                    pass
            batch = self._take()
            while batch:
                # A batch larger than batch_size (the writer was busy) is committed in slices.
                await self._write_batch(batch[: self.batch_size])
                batch = batch[self.batch_size :]

    async def _write_batch(self, batch: list[Operation]) -> None:
        if not batch:
            return
        barriers = [op for op in batch if isinstance(op, Barrier)]
        work = [op for op in batch if not isinstance(op, Barrier)]
        try:
            if work:
                try:
                    async with self._sessions.begin() as session:
                        await self._apply(session, work)
                except Exception:
                    # One bad operation must not lose the rest: retry one by one, each in its own transaction.
                    log.exception("a batch of %d writes failed; retrying them one by one", len(work))
                    self._forget_known()
                    for operation in work:
                        try:
                            async with self._sessions.begin() as session:
                                await self._apply(session, [operation])
                        except Exception:
                            self.stats.failed_operations += 1
                            log.exception("could not write %s", type(operation).__name__)
            self.stats.batches += 1
            self.stats.operations += len(work)
            self.stats.largest_batch = max(self.stats.largest_batch, len(work))
        finally:
            for barrier in barriers:
                if not barrier.done.done():
                    barrier.done.set_result(None)

    async def _apply(self, session: AsyncSession, operations: list[Operation]) -> None:
        saves: list[SaveMessage] = []
        for operation in operations:
            if isinstance(operation, SaveMessage):
                saves.append(operation)
                continue
            if saves:
                await self._save(session, saves)
                saves = []
            if isinstance(operation, RecordPlaces):
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
            newest[save.row.channel_id] = max(newest.get(save.row.channel_id, 0), save.row.id)
        await store.advance_collected_marks(session, newest)

    async def _record_places(self, session: AsyncSession, guilds: list[GuildRow], channels: Iterable[ChannelRow],
                             members: Iterable[MemberRow]) -> None:
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
        for key in [k for k in self._known_members if k[0] == guild_id]:
            del self._known_members[key]


def _changed(rows: Iterable[Any], known: dict[Any, Any], key: Callable[[Any], Any]) -> list[Any]:
    fresh = {}
    for row in rows:
        if known.get(key(row)) != row:
            fresh[key(row)] = row
    known.update(fresh)
    return list(fresh.values())
