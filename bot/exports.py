"""Reading DiscordChatExporter JSON exports into rows for the store and records for the agents.

Everything is validated before anything is returned, so a malformed file is rejected whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from agents.records import MessageRecord
from bot.storage.messages import ChannelRow, GuildRow, MemberRow, MessageRow


class ExportError(ValueError):
    """A file is not a usable DiscordChatExporter JSON export; the message names the file and the problem."""


@dataclass(slots=True)
class Export:
    path: Path
    guild: GuildRow
    channels: list[ChannelRow]  # the parent channel first when the export is of a thread
    members: list[MemberRow]
    messages: list[MessageRow]

    @property
    def channel(self) -> ChannelRow:
        return self.channels[-1]


def _snowflake(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a Discord id, not {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a Discord id, not {value!r}") from None
    if number <= 0:
        raise ValueError(f"{what} must be a positive Discord id, not {value!r}")
    return number


def _timestamp(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be an ISO 8601 timestamp, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} must be an ISO 8601 timestamp, not {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _display_name(person: dict[str, Any]) -> str:
    return str(person.get("nickname") or person.get("name") or f"user {person.get('id')}")[:100]


def _describe_attachment(item: dict[str, Any]) -> str:
    name = str(item.get("fileName") or item.get("url", "file").rsplit("/", 1)[-1])
    size = item.get("fileSizeBytes")
    return f"{name} ({size // 1024} kB)" if isinstance(size, int) and size >= 1024 else name


def _describe_embed(item: dict[str, Any]) -> str:
    title = item.get("title") or item.get("url") or "embed"
    description = item.get("description") or ""
    text = f"{title}: {description}" if description else str(title)
    return text[:300]


def _channel_rows(guild_id: int, channel: dict[str, Any]) -> list[ChannelRow]:
    channel_id = _snowflake(channel.get("id"), "channel.id")
    kind = str(channel.get("type") or "GuildTextChat")
    name = str(channel.get("name") or "")[:100]
    if "Thread" in kind and channel.get("categoryId"):
        # DiscordChatExporter puts a thread's parent channel in the category fields.
        parent_id = _snowflake(channel["categoryId"], "channel.categoryId")
        parent = ChannelRow(parent_id, guild_id, str(channel.get("category") or "")[:100], "text")
        return [parent, ChannelRow(channel_id, guild_id, name, "thread", parent_id)]
    return [ChannelRow(channel_id, guild_id, name, "text")]


def parse_export(data: Any, path: Path) -> Export:
    """Validate a decoded export and turn it into rows. Raises ExportError naming the file and the problem."""
    try:
        if not isinstance(data, dict):
            raise ValueError("the top level must be an object with guild, channel and messages")
        for key in ("guild", "channel", "messages"):
            if key not in data:
                raise ValueError(f"missing top-level {key!r}")
        if not isinstance(data["messages"], list):
            raise ValueError("'messages' must be a list")
        guild_id = _snowflake(data["guild"].get("id") if isinstance(data["guild"], dict) else None, "guild.id")
        guild = GuildRow(guild_id, str(data["guild"].get("name") or "")[:100])
        if not isinstance(data["channel"], dict):
            raise ValueError("'channel' must be an object")
        channels = _channel_rows(guild_id, data["channel"])
        channel_id = channels[-1].id

        members: dict[int, MemberRow] = {}
        rows: list[MessageRow] = []
        for index, message in enumerate(data["messages"]):
            where = f"message #{index + 1}"
            if not isinstance(message, dict):
                raise ValueError(f"{where} must be an object")
            author = message.get("author")
            if not isinstance(author, dict):
                raise ValueError(f"{where} has no author")
            author_id = _snowflake(author.get("id"), f"{where} author.id")
            is_bot = bool(author.get("isBot", False))
            members[author_id] = MemberRow(guild_id, author_id, _display_name(author), is_bot)
            mention_ids = []
            for mention in message.get("mentions") or []:
                if isinstance(mention, dict) and mention.get("id") is not None:
                    mentioned = _snowflake(mention["id"], f"{where} mention id")
                    mention_ids.append(mentioned)
                    members.setdefault(mentioned, MemberRow(guild_id, mentioned, _display_name(mention), bool(mention.get("isBot", False))))
            reference = message.get("reference") or {}
            reply_to = reference.get("messageId") if isinstance(reference, dict) else None
            content = message.get("content", "")
            if not isinstance(content, str):
                raise ValueError(f"{where} content must be text")
            edited = message.get("timestampEdited")
            rows.append(
                MessageRow(
                    id=_snowflake(message.get("id"), f"{where} id"),
                    guild_id=guild_id,
                    channel_id=channel_id,
                    author_id=author_id,
                    content=content,
                    created_at=_timestamp(message.get("timestamp"), f"{where} timestamp"),
                    edited_at=_timestamp(edited, f"{where} timestampEdited") if edited else None,
                    reply_to_id=_snowflake(reply_to, f"{where} reference.messageId") if reply_to else None,
                    mention_ids=mention_ids,
                    attachments=[_describe_attachment(a) for a in message.get("attachments") or [] if isinstance(a, dict)],
                    embeds=[_describe_embed(e) for e in message.get("embeds") or [] if isinstance(e, dict)],
                    is_bot=is_bot,
                )
            )
    except (ValueError, AttributeError, TypeError) as exc:
        raise ExportError(f"{path}: {exc}") from None
    return Export(path=path, guild=guild, channels=channels, members=list(members.values()), messages=rows)


def read_export(path: str | Path) -> Export:
    """Read and validate one DiscordChatExporter JSON file."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ExportError(f"{path}: is a folder, not an export file") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not UTF-8 text (export as JSON from DiscordChatExporter)") from None
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return parse_export(data, path)


def export_records(export: Export) -> list[MessageRecord]:
    """The export's messages as the plain records the agents read, oldest first."""
    names = {m.user_id: m.display_name for m in export.members}
    channel = export.channel
    return [
        MessageRecord(
            id=row.id,
            channel_id=row.channel_id,
            author_id=row.author_id,
            author_name=names.get(row.author_id, f"user {row.author_id}"),
            content=row.content,
            created_at=row.created_at,
            edited_at=row.edited_at,
            reply_to_id=row.reply_to_id,
            mention_ids=tuple(row.mention_ids),
            mention_names={uid: names[uid] for uid in row.mention_ids if uid in names},
            attachments=tuple(row.attachments),
            embeds=tuple(row.embeds),
            is_bot=row.is_bot,
            guild_id=row.guild_id,
            channel_name=channel.name,
            # The only channels an export names: its own and a thread's parent.
            channel_names={c.id: c.name for c in export.channels if c.name},
        )
        for row in sorted(export.messages, key=lambda r: r.id)
    ]
