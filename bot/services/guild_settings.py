"""A server's own settings: its timezone (for deadlines and the digest), message retention, and the chat persona."""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import InvalidInput
from bot.storage.messages import upsert_guild_if_missing
from bot.storage.tables import GuildSettings

MAX_RETENTION_DAYS = 36_500
MAX_PROMPT_CHARS = 1_500
DEFAULT_TIMEZONE = "UTC"


@dataclass(frozen=True, slots=True)
class GuildSettingsView:
    timezone: str
    retention_days: int | None  # None: the bot's default
    chat_system_prompt: str | None


def valid_timezone(name: str) -> str:
    """The IANA zone name as given (stripped; any spelling of UTC is "UTC"), or InvalidInput with examples.
    The one check of a server's timezone, whichever command sets it."""
    candidate = (name or "").strip()
    if candidate.upper() == "UTC":
        return "UTC"
    # Only zone-name characters: ZoneInfo would otherwise look up paths such as "../etc/passwd".
    if candidate and re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", candidate):
        try:
            ZoneInfo(candidate)
            return candidate
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidInput(f"{candidate[:40]!r} is not a timezone: use an IANA name like Europe/Berlin, America/New_York or UTC.")


async def guild_timezone(session: AsyncSession, guild_id: int) -> str:
    """The server's one timezone (for deadlines and the daily digest); UTC until one is set."""
    row = await session.get(GuildSettings, guild_id)
    return row.timezone if row is not None and row.timezone else DEFAULT_TIMEZONE


async def _row(session: AsyncSession, guild_id: int) -> GuildSettings:
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        await upsert_guild_if_missing(session, guild_id)
        row = GuildSettings(guild_id=guild_id, timezone=DEFAULT_TIMEZONE)
        session.add(row)
    return row


async def read(session: AsyncSession, guild_id: int) -> GuildSettingsView:
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        return GuildSettingsView(DEFAULT_TIMEZONE, None, None)
    return GuildSettingsView(row.timezone or DEFAULT_TIMEZONE, row.retention_days, row.chat_system_prompt)


async def set_timezone(session: AsyncSession, guild_id: int, name: str) -> str:
    zone = valid_timezone(name)
    (await _row(session, guild_id)).timezone = zone
    return zone


async def set_retention(session: AsyncSession, guild_id: int, days: int | None) -> int | None:
    if days is not None and not 0 <= days <= MAX_RETENTION_DAYS:
        raise InvalidInput(f"Retention must be between 0 (keep forever) and {MAX_RETENTION_DAYS} days.")
    (await _row(session, guild_id)).retention_days = days
    return days


async def set_chat_prompt(session: AsyncSession, guild_id: int, prompt: str | None) -> str | None:
    cleaned = prompt.strip() if prompt else None
    if cleaned and len(cleaned) > MAX_PROMPT_CHARS:
        raise InvalidInput(f"The chat prompt can be at most {MAX_PROMPT_CHARS} characters (it has {len(cleaned)}).")
    (await _row(session, guild_id)).chat_system_prompt = cleaned or None
    return cleaned or None
