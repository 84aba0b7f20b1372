"""Builds DiscordChatExporter-format exports for tests and benchmarks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PEOPLE = [("1001", "alice", "Alice"), ("1002", "bob", "Bob"), ("1003", "carol", None), ("1004", "dan", "Dan the PM")]


def export_message(
    index: int, content: str, *, author: int | None = None, first_id: int = 5_000_000, reply_to: int | None = None, **extra: Any
) -> dict[str, Any]:
    person_id, name, nickname = PEOPLE[(index if author is None else author) % len(PEOPLE)]
    message = {
        "id": str(first_id + index),
        "type": "Default",
        "timestamp": (START + timedelta(minutes=index)).isoformat(),
        "timestampEdited": None,
        "isPinned": False,
        "content": content,
        "author": {"id": person_id, "name": name, "discriminator": "0000", "nickname": nickname, "isBot": False},
        "attachments": [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": [],
    }
    if reply_to is not None:
        message["type"] = "Reply"
        message["reference"] = {"messageId": str(first_id + reply_to), "channelId": "200", "guildId": "100"}
    message.update(extra)
    return message


def make_export(
    messages: list[dict[str, Any]], *, channel_id: str = "200", channel_name: str = "general", thread_of: tuple[str, str] | None = None
) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "id": channel_id,
        "type": "GuildTextChat",
        "categoryId": "50",
        "category": "Text Channels",
        "name": channel_name,
        "topic": None,
    }
    if thread_of is not None:
        channel.update(type="GuildPublicThread", categoryId=thread_of[0], category=thread_of[1])
    return {
        "guild": {"id": "100", "name": "Test Guild", "iconUrl": ""},
        "channel": channel,
        "dateRange": {"after": None, "before": None},
        "exportedAt": START.isoformat(),
        "messages": messages,
        "messageCount": len(messages),
    }


def write_export(path: Path, export: dict[str, Any]) -> Path:
    path.write_text(json.dumps(export), encoding="utf-8")
    return path


def chat_export(count: int, **kwargs: Any) -> dict[str, Any]:
    return make_export([export_message(i, f"message number {i} about the release plan") for i in range(count)], **kwargs)


# --- Files written exactly as DiscordChatExporter's JsonMessageWriter writes them -------------------------
# Key order, null/empty conventions, ±HH:MM offsets with trimmed fractions, the "Direct Messages" pseudo-guild,
# MessageKind names or numbers, and its escaping (raw BMP text, escaped surrogate pairs). See the README's
# "Importing exports" section for what each field becomes.

DIRECT_MESSAGES_GUILD = {"id": "0", "name": "Direct Messages", "iconUrl": "https://cdn.discordapp.com/embed/avatars/0.png"}


def dce_timestamp(moment: datetime, offset: timedelta = timedelta(0)) -> str:
    """A DateTimeOffset as System.Text.Json writes it: local time, fraction trimmed of zeros, always ±HH:MM."""
    local = moment.astimezone(timezone(offset))
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    if local.microsecond:
        text += "." + f"{local.microsecond:06d}".rstrip("0")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return text + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def dce_user(
    user_id: str, name: str, nickname: str | None = None, *, roles: list[dict[str, Any]] | None = None, is_bot: bool = False
) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "discriminator": "0000",
        "nickname": nickname or name,
        "color": "#E67E22" if roles else None,
        "isBot": is_bot,
        "roles": roles or [],
        "avatarUrl": f"https://cdn.discordapp.com/avatars/{user_id}/a1b2c3.png?size=512",
    }


def dce_message(
    message_id: int,
    author: dict[str, Any],
    content: str,
    at: datetime,
    *,
    kind: str = "Default",
    offset: timedelta = timedelta(0),
    mentions: list[dict[str, Any]] | None = None,
    reference: dict[str, Any] | None = None,
    forwarded: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    interaction: dict[str, Any] | None = None,
    late_fields: bool = True,
) -> dict[str, Any]:
    """One message in the writer's key order; `late_fields=False` leaves out what older releases did not write."""
    message: dict[str, Any] = {
        "id": str(message_id),
        "type": kind,
        "timestamp": dce_timestamp(at, offset),
        "timestampEdited": None,
        "callEndedTimestamp": None,
        "isPinned": False,
        "content": content,
        "author": author,
        "attachments": attachments or [],
        "embeds": [],
        "stickers": [],
        "reactions": [],
        "mentions": mentions or [],
    }
    if reference is not None:
        message["reference"] = reference if late_fields else {k: v for k, v in reference.items() if k != "type"}
    if forwarded is not None and late_fields:
        message["forwardedMessage"] = forwarded
    if interaction is not None and late_fields:
        message["interaction"] = interaction
    if late_fields:
        message["inlineEmojis"] = []
    return message


def dce_reference(message_id: str | None, channel_id: str, guild_id: str | None, *, kind: str = "Default") -> dict[str, Any]:
    return {"type": kind, "messageId": message_id, "channelId": channel_id, "guildId": guild_id}


def dce_forwarded(content: str, at: datetime, *, attachments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "timestamp": dce_timestamp(at),
        "timestampEdited": None,
        "content": content,
        "attachments": attachments or [],
        "embeds": [],
        "stickers": [],
    }


def dce_export(guild: dict[str, Any], channel: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "guild": dict(guild),
        "channel": channel,
        "dateRange": {"after": None, "before": None},
        "exportedAt": "2026-11-30T18:02:41.2178899+01:00",
        "messages": messages,
        "messageCount": len(messages),
    }


def dce_dm_channel(channel_id: str, name: str, *, group: bool) -> dict[str, Any]:
    channel = {
        "id": channel_id,
        "type": "DirectGroupTextChat" if group else "DirectTextChat",
        "categoryId": None,
        "category": None,
        "name": name,
        "topic": None,
    }
    if group:
        channel["iconUrl"] = f"https://cdn.discordapp.com/channel-icons/{channel_id}/f00d.png?size=512"
    return channel


def dce_json(export: dict[str, Any]) -> str:
    """The bytes DCE writes: indented, non-ASCII BMP text raw, supplementary characters as escaped surrogate
    pairs, control characters, U+2028/U+2029 and non-breaking spaces as \\uXXXX."""
    text = json.dumps(export, ensure_ascii=False, indent=2)
    out = []
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
            out.append(f"\\u{high:04X}\\u{low:04X}")
        elif char in "\u2028\u2029\u00a0":
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "".join(out)


def write_dce(path: Path, export: dict[str, Any]) -> Path:
    path.write_text(dce_json(export), encoding="utf-8")
    return path
