"""Queries over stored guilds, channels, members and messages: writes from the collector and importer, reads for the agents.

Every function takes an `AsyncSession`; the caller owns the transaction (`async with sessions.begin() as s:`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast, overload

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from agents.records import MessageRecord
from bot.storage.db import batches as _chunks
from bot.storage.db import upsert_insert as _insert
from bot.storage.summaries import invalidate_messages
from bot.storage.tables import (
    Channel,
    Guild,
    GuildSettings,
    Member,
    Message,
    OptedOutUser,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

_CHANNEL_TOKEN = re.compile(r"<#(\d+)>")


@dataclass(frozen=True, slots=True)
class GuildRow:
    id: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class ChannelRow:
    id: int
    guild_id: int
    name: str = ""
    kind: str = "text"
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class MemberRow:
    guild_id: int
    user_id: int
    display_name: str
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    guild_id: int
    channel_id: int
    author_id: int
    content: str
    created_at: datetime
    edited_at: datetime | None = None
    reply_to_id: int | None = None
    mention_ids: list[int] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    embeds: list[str] = field(default_factory=list)
    is_bot: bool = False
    kind: str = "default"  # "default" | "system" | "forward" (see agents.records.MessageRecord)
    forwarded_from: str | None = None  # a forward's origin, as a Discord message link

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "guild_id": self.guild_id,
            "channel_id": self.channel_id,
            "author_id": self.author_id,
            "content": self.content,
            "created_at": self.created_at,
            "edited_at": self.edited_at,
            "reply_to_id": self.reply_to_id,
            "mention_ids": list(self.mention_ids),
            "attachments": list(self.attachments),
            "embeds": list(self.embeds),
            "is_bot": self.is_bot,
            "kind": self.kind,
            "forwarded_from": self.forwarded_from,
        }


async def upsert_guild(session: AsyncSession, row: GuildRow) -> None:
    stmt = _insert(session, Guild).values(id=row.id, name=row.name)
    await session.execute(stmt.on_conflict_do_update(index_elements=[Guild.id], set_={"name": stmt.excluded.name}))


async def upsert_channels(session: AsyncSession, rows: Sequence[ChannelRow]) -> None:
    rows = list({r.id: r for r in rows}.values())
    for batch in _chunks(rows):
        stmt = _insert(session, Channel).values(
            [{"id": r.id, "guild_id": r.guild_id, "name": r.name, "kind": r.kind, "parent_id": r.parent_id} for r in batch]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[Channel.id],
                set_={"name": stmt.excluded.name, "kind": stmt.excluded.kind, "parent_id": stmt.excluded.parent_id},
            )
        )


async def upsert_members(session: AsyncSession, rows: Sequence[MemberRow]) -> None:
    rows = list({(r.guild_id, r.user_id): r for r in rows}.values())
    for batch in _chunks(rows):
        stmt = _insert(session, Member).values(
            [
                {"guild_id": r.guild_id, "user_id": r.user_id, "display_name": r.display_name, "is_bot": r.is_bot, "updated_at": func.now()}
                for r in batch
            ]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[Member.guild_id, Member.user_id],
                set_={"display_name": stmt.excluded.display_name, "is_bot": stmt.excluded.is_bot, "updated_at": func.now()},
            )
        )


async def opted_out_ids(session: AsyncSession, guild_id: int) -> set[int]:
    result = await session.scalars(select(OptedOutUser.user_id).where(OptedOutUser.guild_id == guild_id))
    return set(result)


async def save_messages(session: AsyncSession, rows: Sequence[MessageRow]) -> int:
    """Store new messages (a message already stored is left as it is) and return how many were new.

    Messages by users who opted out in that guild are never stored.
    """
    if not rows:
        return 0
    opted_out: dict[int, set[int]] = {}
    for guild_id in {r.guild_id for r in rows}:
        opted_out[guild_id] = await opted_out_ids(session, guild_id)
    kept = [r for r in {r.id: r for r in rows}.values() if r.author_id not in opted_out[r.guild_id]]
    if not kept:
        return 0
    already = 0
    for batch in _chunks([r.id for r in kept]):
        already += int(await session.scalar(select(func.count()).select_from(Message).where(Message.id.in_(batch))) or 0)
    # One executemany of a prepared statement: far cheaper than compiling a multi-row VALUES per batch.
    stmt = _insert(session, Message).on_conflict_do_nothing(index_elements=[Message.id])
    await session.execute(stmt, [r.as_dict() for r in kept])
    return len(kept) - already


async def apply_edit(
    session: AsyncSession,
    message_id: int,
    *,
    content: str | None = None,
    edited_at: datetime | None = None,
    mention_ids: list[int] | None = None,
    attachments: list[str] | None = None,
    embeds: list[str] | None = None,
) -> bool:
    """Apply the fields an edit carries (a partial edit leaves the others alone). False if the message is unknown."""
    values: dict[str, Any] = {}
    for name, value in (
        ("content", content),
        ("edited_at", edited_at),
        ("mention_ids", mention_ids),
        ("attachments", attachments),
        ("embeds", embeds),
    ):
        if value is not None:
            values[name] = list(value) if isinstance(value, (list, tuple)) else value
    if not values:
        return bool(await session.scalar(select(func.count()).select_from(Message).where(Message.id == message_id)))
    result = cast("CursorResult[Any]", await session.execute(update(Message).where(Message.id == message_id).values(**values)))
    if result.rowcount:
        await invalidate_messages(session, [message_id])
    return bool(result.rowcount)


async def delete_messages(session: AsyncSession, message_ids: Sequence[int]) -> int:
    ids = list(message_ids)
    # Edited or deleted text never reaches a summary: drop the cached chunks that read it.
    await invalidate_messages(session, ids)
    deleted = 0
    for batch in _chunks(ids):
        result = cast("CursorResult[Any]", await session.execute(delete(Message).where(Message.id.in_(batch))))
        deleted += result.rowcount or 0
    return deleted


async def _delete_messages_where(session: AsyncSession, *conditions) -> int:
    ids = list(await session.scalars(select(Message.id).where(*conditions)))
    return await delete_messages(session, ids)


async def delete_channel(session: AsyncSession, channel_id: int) -> int:
    """Forget a channel, its threads and all their messages; returns the number of messages removed."""
    channel_ids = [channel_id, *await session.scalars(select(Channel.id).where(Channel.parent_id == channel_id))]
    removed = await _delete_messages_where(session, Message.channel_id.in_(channel_ids))
    await session.execute(delete(Channel).where(Channel.id.in_(channel_ids)))
    return removed


async def delete_guild(session: AsyncSession, guild_id: int) -> int:
    """Forget everything stored for a guild (the bot left it); returns the number of messages removed."""
    removed = await _delete_messages_where(session, Message.guild_id == guild_id)
    await session.execute(delete(Guild).where(Guild.id == guild_id))
    return removed


async def latest_message_id(session: AsyncSession, channel_id: int, *, before_id: int | None = None) -> int | None:
    """The newest stored message id in a channel (below `before_id` when given)."""
    query = select(func.max(Message.id)).where(Message.channel_id == channel_id)
    if before_id is not None:
        query = query.where(Message.id < before_id)
    return await session.scalar(query)


async def advance_collected_marks(session: AsyncSession, newest: dict[int, int]) -> None:
    """Move each channel's `collected_up_to` forward to the newest message id received there (never back)."""
    for channel_id, message_id in newest.items():
        await session.execute(
            update(Channel)
            .where(Channel.id == channel_id, or_(Channel.collected_up_to.is_(None), Channel.collected_up_to < message_id))
            .values(collected_up_to=message_id)
        )


async def collected_marks(session: AsyncSession) -> dict[int, int]:
    """Every channel's `collected_up_to` (channels that have one)."""
    rows = await session.execute(select(Channel.id, Channel.collected_up_to).where(Channel.collected_up_to.is_not(None)))
    return {channel_id: mark for channel_id, mark in rows if mark is not None}


async def record_gap(session: AsyncSession, channel_id: int, gap: tuple[int, int] | None) -> None:
    """Remember (or with None forget) a channel's known range of unfetched history: ids after, before (exclusive)."""
    after_id, before_id = gap if gap is not None else (None, None)
    await session.execute(update(Channel).where(Channel.id == channel_id).values(gap_after_id=after_id, gap_before_id=before_id))


@dataclass(frozen=True, slots=True)
class KnownGap:
    """A range of a channel's history the catch-up has not fetched yet (it continues on the next start)."""

    channel_id: int
    channel_name: str
    after_id: int
    before_id: int

    @property
    def since(self) -> datetime:
        return _snowflake_time(self.after_id)

    @property
    def until(self) -> datetime:
        return _snowflake_time(self.before_id)

    def describe(self) -> str:
        """`#general: 2026-11-30 10:02 to 12:40 UTC (2.6 h) not fetched yet`."""
        span = (self.until - self.since).total_seconds() / 3600
        return (
            f"#{self.channel_name or self.channel_id}: {self.since:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M} UTC"
            f" ({span:.1f} h) not fetched yet"
        )


def _snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + 1420070400000) / 1000, tz=UTC)


async def known_gaps(session: AsyncSession, guild_id: int | None = None) -> list[KnownGap]:
    """Channels with a known gap in their stored history (all guilds when `guild_id` is None), oldest gap first."""
    query = select(Channel.id, Channel.name, Channel.gap_after_id, Channel.gap_before_id).where(Channel.gap_after_id.is_not(None))
    if guild_id is not None:
        query = query.where(Channel.guild_id == guild_id)
    rows = await session.execute(query.order_by(Channel.gap_after_id))
    return [KnownGap(cid, name or "", after or 0, before or 0) for cid, name, after, before in rows]


async def stored_versions(session: AsyncSession, channel_id: int, *, after_id: int, up_to_id: int) -> dict[int, MessageRow]:
    """The stored messages of a channel with after_id < id <= up_to_id, as rows (for reconciling them with Discord)."""
    rows = await session.scalars(select(Message).where(Message.channel_id == channel_id, Message.id > after_id, Message.id <= up_to_id))
    return {
        m.id: MessageRow(
            id=m.id,
            guild_id=m.guild_id,
            channel_id=m.channel_id,
            author_id=m.author_id,
            content=m.content,
            created_at=_aware(m.created_at),
            edited_at=_aware(m.edited_at),
            reply_to_id=m.reply_to_id,
            mention_ids=list(m.mention_ids or []),
            attachments=list(m.attachments or []),
            embeds=list(m.embeds or []),
            is_bot=m.is_bot,
        )
        for m in rows
    }


async def nth_newest_message_id(session: AsyncSession, channel_id: int, n: int) -> int | None:
    """The id of the n-th newest stored message of a channel (None when it holds fewer)."""
    return await session.scalar(
        select(Message.id).where(Message.channel_id == channel_id).order_by(Message.id.desc()).offset(max(0, n - 1)).limit(1)
    )


async def guild_retention_days(session: AsyncSession, guild_id: int) -> int | None:
    """The guild's own retention setting (None: the bot's default; 0: forever)."""
    return await session.scalar(select(GuildSettings.retention_days).where(GuildSettings.guild_id == guild_id))


async def forget_user(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Erase a user's stored messages in a guild; returns how many."""
    return await _delete_messages_where(session, Message.guild_id == guild_id, Message.author_id == user_id)


async def opt_out(session: AsyncSession, guild_id: int, user_id: int) -> int:
    """Stop storing a user's messages in a guild and erase what is stored; returns how many were erased."""
    await upsert_guild_if_missing(session, guild_id)
    stmt = _insert(session, OptedOutUser).values(guild_id=guild_id, user_id=user_id)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[OptedOutUser.guild_id, OptedOutUser.user_id]))
    return await forget_user(session, guild_id, user_id)


async def opt_in(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    """Resume storing a user's messages; False if they had not opted out."""
    result = cast(
        "CursorResult[Any]",
        await session.execute(delete(OptedOutUser).where(OptedOutUser.guild_id == guild_id, OptedOutUser.user_id == user_id)),
    )
    return bool(result.rowcount)


async def upsert_guild_if_missing(session: AsyncSession, guild_id: int) -> None:
    stmt = _insert(session, Guild).values(id=guild_id, name="")
    await session.execute(stmt.on_conflict_do_nothing(index_elements=[Guild.id]))


async def purge_expired(session: AsyncSession, now: datetime, default_days: int) -> int:
    """Remove messages older than each guild's retention (its own setting, else `default_days`; 0 keeps forever)."""
    removed = 0
    overrides = {gid: days for gid, days in await session.execute(select(GuildSettings.guild_id, GuildSettings.retention_days))}
    for guild_id in await session.scalars(select(Guild.id)):
        days = overrides.get(guild_id)
        days = default_days if days is None else days
        if days <= 0:
            continue
        cutoff = now - timedelta(days=days)
        removed += await _delete_messages_where(session, Message.guild_id == guild_id, Message.created_at < cutoff)
    return removed


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: None) -> None: ...
@overload
def _aware(value: datetime | None) -> datetime | None: ...
def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


async def load_window(
    session: AsyncSession,
    channel_id: int,
    *,
    limit: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    after_id: int | None = None,
    author_id: int | None = None,
) -> list[MessageRecord]:
    """The messages of one channel as plain records, oldest first.

    `limit` keeps the newest N of those that match; display names come from the members table and
    mentions carry the names of the users they mention.
    """
    query = (
        select(Message, Member.display_name, Channel.name)
        .join(Channel, Channel.id == Message.channel_id)
        .outerjoin(Member, and_(Member.guild_id == Message.guild_id, Member.user_id == Message.author_id))
        .where(Message.channel_id == channel_id)
    )
    if since is not None:
        query = query.where(Message.created_at >= since)
    if before is not None:
        query = query.where(Message.created_at < before)
    if after_id is not None:
        query = query.where(Message.id > after_id)
    if author_id is not None:
        query = query.where(Message.author_id == author_id)
    query = query.order_by(Message.id.desc())
    if limit is not None:
        query = query.limit(limit)
    rows = list((await session.execute(query)).all())
    rows.reverse()
    if not rows:
        return []

    guild_id = rows[0][0].guild_id
    mentioned = {uid for message, _, _ in rows for uid in (message.mention_ids or [])}
    names: dict[int, str] = {}
    for batch in _chunks(sorted(mentioned)):
        result = await session.execute(
            select(Member.user_id, Member.display_name).where(Member.guild_id == guild_id, Member.user_id.in_(batch))
        )
        names.update((uid, name) for uid, name in result)
    # `<#id>` renders as `#name` for every channel of the guild the bot knows.
    mentioned_channels = {int(cid) for message, _, _ in rows for cid in _CHANNEL_TOKEN.findall(message.content or "")}
    channel_names: dict[int, str] = {}
    for batch in _chunks(sorted(mentioned_channels)):
        result = await session.execute(select(Channel.id, Channel.name).where(Channel.id.in_(batch)))
        channel_names.update((cid, name) for cid, name in result if name)

    return [
        MessageRecord(
            id=message.id,
            channel_id=message.channel_id,
            author_id=message.author_id,
            author_name=display_name or f"user {message.author_id}",
            content=message.content,
            created_at=_aware(message.created_at),
            edited_at=_aware(message.edited_at),
            reply_to_id=message.reply_to_id,
            mention_ids=tuple(message.mention_ids or ()),
            mention_names={uid: names[uid] for uid in (message.mention_ids or ()) if uid in names},
            attachments=tuple(message.attachments or ()),
            embeds=tuple(message.embeds or ()),
            is_bot=message.is_bot,
            guild_id=message.guild_id,
            channel_name=channel_name,
            kind=message.kind or "default",
            channel_names={
                cid: channel_names[cid] for cid in map(int, _CHANNEL_TOKEN.findall(message.content or "")) if cid in channel_names
            },
        )
        for message, display_name, channel_name in rows
    ]


async def last_message_by(session: AsyncSession, channel_id: int, user_id: int) -> MessageRecord | None:
    """The newest stored message a user wrote in a channel (for "since my last message")."""
    records = await load_window(session, channel_id, limit=1, author_id=user_id)
    return records[0] if records else None


async def load_message(session: AsyncSession, channel_id: int, message_id: int) -> MessageRecord | None:
    """One stored message of a channel as a plain record, or None when it is not stored (or was deleted)."""
    # A snowflake carries its creation time (ms since 2015): a two-second window around it finds the row
    # through the indexed columns that load_window filters on.
    at = datetime.fromtimestamp(((message_id >> 22) + 1420070400000) / 1000, tz=UTC)
    window = await load_window(session, channel_id, since=at - timedelta(seconds=1), before=at + timedelta(seconds=1))
    return next((r for r in window if r.id == message_id), None)


async def count_messages(session: AsyncSession, channel_id: int | None = None) -> int:
    query = select(func.count()).select_from(Message)
    if channel_id is not None:
        query = query.where(Message.channel_id == channel_id)
    return int(await session.scalar(query) or 0)


async def channel_guilds(session: AsyncSession, channel_ids: Sequence[int]) -> dict[int, int]:
    """The guild each already-stored channel among `channel_ids` belongs to."""
    rows = await session.execute(select(Channel.id, Channel.guild_id).where(Channel.id.in_(list(channel_ids))))
    return {channel_id: guild_id for channel_id, guild_id in rows}
