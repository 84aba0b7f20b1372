"""Discord API v10 JSON shapes (users, members, roles, channels, messages) and permission arithmetic for the fake server."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import discord

DISCORD_EPOCH_MS = 1420070400000
ALL_PERMISSIONS = discord.Permissions.all().value
ADMINISTRATOR = discord.Permissions(administrator=True).value
VIEW_CHANNEL = discord.Permissions(view_channel=True).value
READ_MESSAGE_HISTORY = discord.Permissions(read_message_history=True).value
SEND_MESSAGES = discord.Permissions(send_messages=True).value
SEND_MESSAGES_IN_THREADS = discord.Permissions(send_messages_in_threads=True).value
IMPLIED_BY_SENDING = discord.Permissions(send_tts_messages=True, mention_everyone=True, embed_links=True, attach_files=True).value
VOICE_PERMISSIONS = discord.Permissions.voice().value

# What a fresh server's @everyone role can do (the part of Discord's default that matters to a text bot).
EVERYONE_DEFAULT = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    read_message_history=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_application_commands=True,
    mention_everyone=False,
).value

INTENT_MESSAGE_CONTENT = 1 << 15

CHANNEL_TYPES = {
    "text": 0,
    "voice": 2,
    "category": 4,
    "news": 5,
    "news_thread": 10,
    "public_thread": 11,
    "private_thread": 12,
    "stage_voice": 13,
    "forum": 15,
}
THREAD_TYPES = {10, 11, 12}
TEXT_LIKE_TYPES = {0, 5, 15}  # text, news, forum: voice permissions mean nothing there

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")

Permissions = int | str | Iterable[str] | discord.Permissions | None


def permission_bits(value: Permissions) -> int:
    """Accept a bit field, a permission name, names, or a discord.Permissions and return the bit field."""
    if value is None:
        return 0
    if isinstance(value, discord.Permissions):
        return value.value
    if isinstance(value, int):
        return value
    names = [value] if isinstance(value, str) else list(value)
    unknown = [n for n in names if n not in discord.Permissions.VALID_FLAGS]
    if unknown:
        raise ValueError(f"unknown permission name(s): {', '.join(unknown)}")
    return discord.Permissions(**{n: True for n in names}).value


class Snowflakes:
    """Discord ids: creation time in the high bits, so `created_at` and ordering come out as on Discord."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last = 0

    def next(self, at: datetime | None = None) -> int:
        moment = at or datetime.now(UTC)
        ms = int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS
        value = (ms << 22) | (next(self._counter) & 0x3FFFFF)
        if at is None:
            # Ids made "now" must keep increasing even when the clock has not moved.
            value = max(value, self._last + 1)
            self._last = value
        return value


def snowflake_time(snowflake: int) -> datetime:
    return datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def user_payload(user_id: int, name: str, *, bot: bool = False, global_name: str | None = None) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": global_name,
        "avatar": None,
        "bot": bot,
        "system": False,
        "public_flags": 0,
        "flags": 0,
    }


def member_payload(
    user: dict[str, Any] | None, *, roles: Iterable[int], nick: str | None, joined_at: datetime, permissions: int | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "nick": nick,
        "avatar": None,
        "roles": [str(r) for r in roles],
        "joined_at": iso(joined_at),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if user is not None:
        payload["user"] = user
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


def role_payload(
    role_id: int, name: str, *, permissions: int, position: int, managed: bool = False, bot_id: int | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }
    if bot_id is not None:
        payload["tags"] = {"bot_id": str(bot_id)}
    return payload


def overwrite_payload(target_id: int, *, member: bool, allow: Permissions = None, deny: Permissions = None) -> dict[str, Any]:
    return {
        "id": str(target_id),
        "type": 1 if member else 0,
        "allow": str(permission_bits(allow)),
        "deny": str(permission_bits(deny)),
    }


def channel_payload(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    kind: str,
    position: int,
    overwrites: list[dict[str, Any]],
    category_id: int | None,
    topic: str | None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(channel_id),
        "type": CHANNEL_TYPES[kind],
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": overwrites,
        "parent_id": str(category_id) if category_id else None,
        "nsfw": False,
        "flags": 0,
    }
    if kind in ("text", "news", "forum"):
        payload.update(topic=topic, last_message_id=None, rate_limit_per_user=0, default_auto_archive_duration=1440)
    if kind in ("voice", "stage_voice"):
        payload.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None, rate_limit_per_user=0)
    if kind == "forum":
        payload.update(
            available_tags=[],
            default_reaction_emoji=None,
            default_sort_order=None,
            default_forum_layout=0,
            default_thread_rate_limit_per_user=0,
        )
    return payload


def thread_payload(
    thread_id: int, guild_id: int, parent_id: int, name: str, *, owner_id: int, private: bool, archived: bool, created: datetime
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": 12 if private else 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": archived,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso(created),
            "locked": False,
            "invitable": True,
            "create_timestamp": iso(created),
        },
    }


def message_payload(
    *,
    message_id: int,
    channel_id: int,
    guild_id: int | None,
    author: dict[str, Any],
    content: str,
    timestamp: datetime,
    mentions: list[dict[str, Any]],
    mention_roles: list[int],
    mention_everyone: bool,
    attachments: list[dict[str, Any]],
    embeds: list[dict[str, Any]],
    referenced: dict[str, Any] | None,
    edited_timestamp: datetime | None = None,
    message_type: int | None = None,
    flags: int = 0,
    components: list[dict[str, Any]] | None = None,
    interaction_metadata: dict[str, Any] | None = None,
    application_id: int | None = None,
    webhook_id: int | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso(timestamp),
        "edited_timestamp": iso(edited_timestamp) if edited_timestamp else None,
        "tts": False,
        "mention_everyone": mention_everyone,
        "mentions": mentions,
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": attachments,
        "embeds": embeds,
        "pinned": False,
        "type": message_type if message_type is not None else (19 if referenced else 0),
        "flags": flags,
        "components": components or [],
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
    if referenced is not None:
        payload["message_reference"] = {
            "type": 0,
            "message_id": referenced["id"],
            "channel_id": referenced["channel_id"],
            **({"guild_id": str(guild_id)} if guild_id is not None else {}),
        }
        payload["referenced_message"] = referenced
    if interaction_metadata is not None:
        payload["interaction_metadata"] = interaction_metadata
    if application_id is not None:
        payload["application_id"] = str(application_id)
    if webhook_id is not None:
        payload["webhook_id"] = str(webhook_id)
    return payload


def attachment_payload(attachment_id: int, filename: str, *, size: int = 1024, content_type: str | None = None) -> dict[str, Any]:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": f"https://cdn.discordapp.com/attachments/0/{attachment_id}/{filename}",
        "proxy_url": f"https://media.discordapp.net/attachments/0/{attachment_id}/{filename}",
        **({"content_type": content_type} if content_type else {}),
    }


def strip_for_rest(message: dict[str, Any]) -> dict[str, Any]:
    """REST message objects carry no guild_id / member fields (only gateway events do)."""
    out = {k: v for k, v in message.items() if k not in ("guild_id", "member")}
    out["mentions"] = [{k: v for k, v in m.items() if k != "member"} for m in message.get("mentions", [])]
    if isinstance(out.get("referenced_message"), dict):
        out["referenced_message"] = strip_for_rest(out["referenced_message"])
    return out
