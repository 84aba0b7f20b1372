"""The daily digest: its settings, which day and window a run covers, claiming a day before posting, and its content."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.summarize import Summary
from bot.services.errors import InvalidInput
from bot.services.guild_settings import guild_timezone, valid_timezone
from bot.storage.messages import upsert_guild_if_missing
from bot.storage.tables import DigestConfig, DigestPost, Task

log = logging.getLogger(__name__)

DIGEST_PROFILE = "quality"
# A digest that could not run at its time (the bot was down) still runs if the bot is back within this.
MISFIRE_GRACE_S = 6 * 3600
MAX_SOURCE_CHANNELS = 25

_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")
_CHANNEL_REF = re.compile(r"<#(\d{15,22})>|(\d{15,22})|#?([\w-]{1,100})")


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    hour: int
    minute: int
    timezone: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def fire_time(self, day: date) -> datetime:
        """The digest's moment on a local date, as an aware datetime in the guild's zone."""
        return datetime.combine(day, time(self.hour, self.minute), tzinfo=self.zone)

    def latest_fire(self, now: datetime) -> datetime:
        """The most recent scheduled moment at or before `now` (so a late run still knows its own day)."""
        local_now = now.astimezone(self.zone)
        today = self.fire_time(local_now.date())
        return today if today <= local_now else self.fire_time(local_now.date() - timedelta(days=1))

    def window(self, fire: datetime) -> tuple[datetime, datetime]:
        """What a digest covers: from the previous day's digest time up to this one (UTC)."""
        previous = self.fire_time(fire.date() - timedelta(days=1))
        return previous.astimezone(UTC), fire.astimezone(UTC)


def parse_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text or "")
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return hour, minute
    raise InvalidInput(f"{(text or '').strip()[:20]!r} is not a time: use 24-hour HH:MM, like 09:00 or 18:30.")


def parse_schedule(time_text: str, timezone_name: str) -> DigestSchedule:
    """A daily time ("09:00") in a timezone (an IANA name); InvalidInput with one line for either."""
    hour, minute = parse_time(time_text)
    return DigestSchedule(hour=hour, minute=minute, timezone=valid_timezone(timezone_name))


def parse_channel_refs(text: str | None, channels_by_name: dict[str, int], known_ids: set[int]) -> list[int]:
    """Channel mentions, ids or names, separated by spaces or commas; InvalidInput names the first unknown one."""
    if not text or not text.strip():
        return []
    found: list[int] = []
    for token in re.split(r"[\s,]+", text.strip()):
        if not token:
            continue
        match = _CHANNEL_REF.fullmatch(token)
        channel_id: int | None = None
        if match and (match.group(1) or match.group(2)):
            channel_id = int(match.group(1) or match.group(2))
            if channel_id not in known_ids:
                channel_id = None
        elif match and match.group(3):
            channel_id = channels_by_name.get(match.group(3).lower())
        if channel_id is None:
            raise InvalidInput(f"{token[:40]!r} is not a text channel of this server: mention it like #general.")
        if channel_id not in found:
            found.append(channel_id)
    if len(found) > MAX_SOURCE_CHANNELS:
        raise InvalidInput(f"A digest can read at most {MAX_SOURCE_CHANNELS} channels.")
    return found


# --- settings --------------------------------------------------------------------------------


async def save_config(
    session: AsyncSession,
    *,
    guild_id: int,
    target_channel_id: int,
    schedule: DigestSchedule,
    source_channel_ids: Sequence[int],
    user_id: int,
) -> None:
    await upsert_guild_if_missing(session, guild_id)
    """Store the digest's channel, time and sources (its timezone is the server's, see guild_settings)."""
    config = await session.get(DigestConfig, guild_id)
    values = dict(
        target_channel_id=target_channel_id,
        time_of_day=schedule.time_text,
        source_channel_ids=list(source_channel_ids),
        enabled=True,
        updated_by=user_id,
    )
    if config is None:
        session.add(DigestConfig(guild_id=guild_id, **values))
    else:
        for name, value in values.items():
            setattr(config, name, value)
        config.updated_at = func.now()


async def load_config(session: AsyncSession, guild_id: int) -> DigestConfig | None:
    return await session.get(DigestConfig, guild_id)


async def enabled_configs(session: AsyncSession) -> list[DigestConfig]:
    return list(await session.scalars(select(DigestConfig).where(DigestConfig.enabled.is_(True))))


async def disable(session: AsyncSession, guild_id: int, user_id: int) -> bool:
    result = await session.execute(
        update(DigestConfig)
        .where(DigestConfig.guild_id == guild_id, DigestConfig.enabled.is_(True))
        .values(enabled=False, updated_by=user_id, updated_at=func.now())
    )
    return bool(cast(CursorResult[Any], result).rowcount)  # an UPDATE's result is a CursorResult


def schedule_of(config: DigestConfig, timezone_name: str) -> DigestSchedule:
    hour, minute = parse_time(config.time_of_day)
    return DigestSchedule(hour=hour, minute=minute, timezone=timezone_name)


async def schedule_for(session: AsyncSession, config: DigestConfig) -> DigestSchedule:
    """The digest's daily moment in the server's timezone."""
    return schedule_of(config, await guild_timezone(session, config.guild_id))


async def enabled_schedules(session: AsyncSession) -> list[tuple[int, DigestSchedule]]:
    """(guild id, schedule) of every enabled digest."""
    return [(config.guild_id, await schedule_for(session, config)) for config in await enabled_configs(session)]


# --- exactly once per day ----------------------------------------------------------------------


async def claim_day(sessions: async_sessionmaker[AsyncSession], guild_id: int, day: date, channel_id: int) -> bool:
    """Reserve a guild's digest for a local date before posting; False when it is already posted or being posted.

    The unique (guild, date) row is the lock: two runs (a restart, a misfire and its retry) race
    on the insert and only one commits.
    """
    try:
        async with sessions.begin() as session:
            await upsert_guild_if_missing(session, guild_id)
            session.add(DigestPost(guild_id=guild_id, digest_date=day.isoformat(), channel_id=channel_id, message_id=None))
    except IntegrityError:
        return False
    return True


async def confirm_day(sessions: async_sessionmaker[AsyncSession], guild_id: int, day: date, message_id: int) -> None:
    async with sessions.begin() as session:
        await session.execute(
            update(DigestPost)
            .where(DigestPost.guild_id == guild_id, DigestPost.digest_date == day.isoformat())
            .values(message_id=message_id)
        )


async def release_day(sessions: async_sessionmaker[AsyncSession], guild_id: int, day: date) -> None:
    """Give a claim back after a failed post, so the next run (or a retry) can post that day."""
    async with sessions.begin() as session:
        await session.execute(
            delete(DigestPost).where(
                DigestPost.guild_id == guild_id,
                DigestPost.digest_date == day.isoformat(),
                DigestPost.message_id.is_(None),
            )
        )


async def unconfirmed_claim(session: AsyncSession, guild_id: int, day: date) -> DigestPost | None:
    """A claim for that day with no recorded post: a run is posting it now, or one died between claiming and recording."""
    return await session.scalar(
        select(DigestPost).where(
            DigestPost.guild_id == guild_id, DigestPost.digest_date == day.isoformat(), DigestPost.message_id.is_(None)
        )
    )


def digest_title(day: date) -> str:
    """The first embed's title of a day's digest: how the bot recognises its own post in the channel's history."""
    return f"Daily digest · {day.isoformat()}"


async def posts_for(session: AsyncSession, guild_id: int) -> list[DigestPost]:
    return list(await session.scalars(select(DigestPost).where(DigestPost.guild_id == guild_id).order_by(DigestPost.digest_date)))


# --- content ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceChannel:
    id: int
    name: str


@dataclass(slots=True)
class ChannelDigest:
    channel: SourceChannel
    summary: Summary


@dataclass(slots=True)
class Digest:
    guild_id: int
    day: date
    since: datetime
    until: datetime
    model_key: str
    sections: list[ChannelDigest] = field(default_factory=list)
    open_tasks: list[Task] = field(default_factory=list)
    left_out: int = 0  # channels the target's audience cannot read (never named in the digest)

    @property
    def empty(self) -> bool:
        return not self.sections and not self.open_tasks
