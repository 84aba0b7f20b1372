"""A server's own settings: timezone for deadlines, message retention, and the chat persona."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.errors import InvalidInput
from bot.storage.messages import upsert_guild_if_missing
from bot.storage.tables import GuildSettings

MAX_RETENTION_DAYS = 36_500
MAX_PROMPT_CHARS = 1_500


@dataclass(frozen=True, slots=True)
class GuildSettingsView:
    timezone: str
    retention_days: int | None  # None: the bot's default
    chat_system_prompt: str | None


def valid_timezone(name: str) -> str:
    """An IANA timezone name, or InvalidInput with an example."""
    cleaned = name.strip()
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"`{cleaned[:60]}` is not an IANA timezone: use a name like `Europe/Berlin` or `America/New_York`.") from None
    return cleaned


async def _row(session: AsyncSession, guild_id: int) -> GuildSettings:
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        await upsert_guild_if_missing(session, guild_id)
        row = GuildSettings(guild_id=guild_id, timezone="UTC")
        session.add(row)
    return row


async def read(session: AsyncSession, guild_id: int) -> GuildSettingsView:
    row = await session.get(GuildSettings, guild_id)
    if row is None:
        return GuildSettingsView("UTC", None, None)
    return GuildSettingsView(row.timezone or "UTC", row.retention_days, row.chat_system_prompt)


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
