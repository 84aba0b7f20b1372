"""Builds DiscordChatExporter-format exports for tests and benchmarks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
PEOPLE = [("1001", "alice", "Alice"), ("1002", "bob", "Bob"), ("1003", "carol", None), ("1004", "dan", "Dan the PM")]


def export_message(index: int, content: str, *, author: int | None = None, first_id: int = 5_000_000, reply_to: int | None = None, **extra: Any) -> dict[str, Any]:
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


def make_export(messages: list[dict[str, Any]], *, channel_id: str = "200", channel_name: str = "general", thread_of: tuple[str, str] | None = None) -> dict[str, Any]:
    channel: dict[str, Any] = {"id": channel_id, "type": "GuildTextChat", "categoryId": "50", "category": "Text Channels", "name": channel_name, "topic": None}
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
