"""The server settings commands (Manage Server): show them, and set the timezone, message retention and chat prompt.

- `show_settings(services, context)` -> `SettingsShown`; `show_text(result)`
- `set_timezone(services, context, name=)` -> `TimezoneSet`; `timezone_text(result)`
- `set_retention(services, context, days=)` -> `RetentionSet`; `retention_text(result)`
- `set_chat_prompt(services, context, prompt=)` -> `ChatPromptSet`; `chat_prompt_text(result)`
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot import digest as scheduled
from bot.commands.context import CommandContext, Services
from bot.services import digest as digests
from bot.services import guild_settings
from bot.services.render import safe_text
from bot.storage.messages import KnownGap, known_gaps


@dataclass(frozen=True, slots=True)
class SettingsShown:
    settings: guild_settings.GuildSettingsView
    default_retention_days: int  # the bot's SMOLCORD_RETENTION_DAYS
    gaps: tuple[KnownGap, ...] = ()  # known gaps in stored history, of channels the asking member can read
    hidden_gaps: int = 0  # known gaps in channels the member cannot read (counted, never named)


@dataclass(frozen=True, slots=True)
class TimezoneSet:
    timezone: str
    digest_rescheduled: bool  # an enabled digest now fires in the new zone


@dataclass(frozen=True, slots=True)
class RetentionSet:
    days: int | None  # None: the bot's default
    default_retention_days: int


@dataclass(frozen=True, slots=True)
class ChatPromptSet:
    prompt: str | None  # None: the built-in persona


async def show_settings(services: Services, context: CommandContext) -> SettingsShown:
    """The server's timezone, retention and chat prompt. Refused: no Manage Server (MissingManageServer)."""
    context.require_manage_guild()
    async with services.sessions() as session:
        current = await guild_settings.read(session, context.guild_id)
        gaps = await known_gaps(session, context.guild_id)
    # Only the gaps of channels this admin can read are named.
    readable = tuple(g for g in gaps if context.guild.member_can_read(g.channel_id))
    return SettingsShown(
        settings=current,
        default_retention_days=services.settings.default_retention_days,
        gaps=readable,
        hidden_gaps=len(gaps) - len(readable),
    )


def show_text(result: SettingsShown) -> str:
    current = result.settings
    retention = current.retention_days if current.retention_days is not None else result.default_retention_days
    retention_text = "forever" if retention == 0 else f"{retention} days"
    if current.retention_days is None:
        retention_text += " (the bot's default)"
    prompt = safe_text(current.chat_system_prompt, 900) if current.chat_system_prompt else "the built-in persona"
    named = [safe_text(g.describe(), 200) for g in result.gaps[:5]]
    unnamed = len(result.gaps) - len(named) + result.hidden_gaps
    if named:
        gaps_text = "; ".join(named) + (f" and {unnamed} more" if unnamed else "")
    else:
        gaps_text = f"{unnamed} channel(s)" if unnamed else "none"
    return (
        f"**Timezone:** {current.timezone}\n**Messages kept:** {retention_text}\n**Chat prompt:** {prompt}"
        f"\n**Known gaps in stored history:** {gaps_text}"
    )


async def set_timezone(services: Services, context: CommandContext, *, name: str) -> TimezoneSet:
    """Make `name` (an IANA timezone) the server's one timezone: deadlines like "by Friday" are read in it and
    the daily digest fires in it. Refused: no Manage Server; not an IANA name (InvalidInput)."""
    context.require_manage_guild()
    async with services.sessions.begin() as session:
        zone = await guild_settings.set_timezone(session, context.guild_id, name)
        config = await digests.load_config(session, context.guild_id)
        schedule = digests.schedule_of(config, zone) if config is not None and config.enabled else None
    if schedule is not None:
        await asyncio.to_thread(scheduled.schedule_digest, services.scheduler, context.guild_id, schedule)
    return TimezoneSet(timezone=zone, digest_rescheduled=schedule is not None)


def timezone_text(result: TimezoneSet) -> str:
    text = f"Deadlines in this server are now read in **{result.timezone}**."
    if result.digest_rescheduled:
        text += " The daily digest now follows it too."
    return text


async def set_retention(services: Services, context: CommandContext, *, days: int | None = None) -> RetentionSet:
    """Keep stored messages `days` days (0: forever; None: the bot's default). Refused: no Manage Server;
    days outside 0..36500 (InvalidInput)."""
    context.require_manage_guild()
    async with services.sessions.begin() as session:
        await guild_settings.set_retention(session, context.guild_id, days)
    return RetentionSet(days=days, default_retention_days=services.settings.default_retention_days)


def retention_text(result: RetentionSet) -> str:
    if result.days is None:
        return f"Messages are kept for the bot's default ({result.default_retention_days} days; 0 means forever)."
    if result.days == 0:
        return "Messages in this server are now kept forever."
    return f"Messages older than {result.days} days are now removed by the daily clean-up."


async def set_chat_prompt(services: Services, context: CommandContext, *, prompt: str | None = None) -> ChatPromptSet:
    """Who the bot is in this server, for chat replies (the fixed safety rules always follow it); None or
    blank resets to the built-in persona. Refused: no Manage Server; longer than 1,500 characters."""
    context.require_manage_guild()
    async with services.sessions.begin() as session:
        saved = await guild_settings.set_chat_prompt(session, context.guild_id, prompt)
    return ChatPromptSet(prompt=saved)


def chat_prompt_text(result: ChatPromptSet) -> str:
    if result.prompt:
        return "Chat replies now use this prompt (the safety rules always follow it)."
    return "Chat replies use the built-in persona again."
