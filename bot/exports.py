"""Reading DiscordChatExporter JSON exports into rows for the store and records for the agents.

Everything is validated before anything is returned, so a malformed file is rejected whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agents.records import MessageRecord
from bot.storage.messages import ChannelRow, GuildRow, MemberRow, MessageRow


class ExportError(ValueError):
    """A file is not a usable DiscordChatExporter JSON export; the message names the file and the problem."""


# DiscordChatExporter files direct messages and group DMs under the pseudo-guild {"id": "0", "name": "Direct
# Messages"}. They are stored under guild id 0, which no server has: no server's data, settings or slash
# commands ever reach them (a command only resolves channels of the server it runs in).
DIRECT_MESSAGES_GUILD_ID = 0

# Message kinds that carry what a member (or an app answering one) wrote, as DCE writes them: the MessageKind
# name, or the API number for kinds its enum does not name (20: slash-command reply, 23: context-menu reply).
# Every other kind is a notice Discord wrote (pins, joins, calls, boosts, thread created, ...).
_SPOKEN_KINDS = frozenset({"", "default", "reply", "0", "19", "20", "23", "chatinputcommand", "contextmenucommand"})
# A thread's starter message (21) repeats the parent channel's message, which is stored with that channel.
_THREAD_STARTER_KINDS = frozenset({"21", "threadstartermessage"})


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


def _guild_id(guild: Any) -> int:
    if not isinstance(guild, dict):
        raise ValueError("'guild' must be an object")
    raw = guild.get("id")
    if isinstance(raw, (str, int)) and not isinstance(raw, bool) and str(raw).strip() == "0":
        return DIRECT_MESSAGES_GUILD_ID
    return _snowflake(raw, "guild.id")


def _message_kind(value: Any, where: str) -> str | None:
    """ "default" or "system" for DCE's `type`; None for a message that is not stored (a thread's starter)."""
    if value is None:
        return "default"
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{where} type must be a message kind name or number, not {value!r}")
    key = str(value).strip().lower()
    if key in _THREAD_STARTER_KINDS:
        return None
    return "default" if key in _SPOKEN_KINDS else "system"


def _message_link(reference: dict[str, Any], where: str) -> str | None:
    """The Discord link of a referenced message (`@me` for a DM), or None when the export does not say."""
    if reference.get("channelId") in (None, ""):
        return None
    channel = _snowflake(reference["channelId"], f"{where} reference.channelId")
    guild = reference.get("guildId")
    guild_part = str(_snowflake(guild, f"{where} reference.guildId")) if guild not in (None, "", "0") else "@me"
    message_id = reference.get("messageId")
    link = f"https://discord.com/channels/{guild_part}/{channel}"
    return f"{link}/{_snowflake(message_id, f'{where} reference.messageId')}" if message_id not in (None, "") else link


def _timestamp(value: Any, what: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{what} must be an ISO 8601 timestamp, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} must be an ISO 8601 timestamp, not {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


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
    if guild_id == DIRECT_MESSAGES_GUILD_ID:
        # DirectTextChat or DirectGroupTextChat; the same names discord.py gives them (ChannelType.private, .group).
        return [ChannelRow(channel_id, guild_id, name, "group" if "group" in kind.lower() else "private")]
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
        guild_id = _guild_id(data["guild"])
        guild_name = data["guild"].get("name") or ("Direct Messages" if guild_id == DIRECT_MESSAGES_GUILD_ID else "")
        guild = GuildRow(guild_id, str(guild_name)[:100])
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
            message_id = _snowflake(message.get("id"), f"{where} id")
            created_at = _timestamp(message.get("timestamp"), f"{where} timestamp")
            kind = _message_kind(message.get("type"), where)
            reference = message.get("reference") or {}
            if not isinstance(reference, dict):
                raise ValueError(f"{where} reference must be an object")
            forwarded = message.get("forwardedMessage")
            if forwarded is not None and not isinstance(forwarded, dict):
                raise ValueError(f"{where} forwardedMessage must be an object")
            content = message.get("content", "")
            if not isinstance(content, str):
                raise ValueError(f"{where} content must be text")
            edited = message.get("timestampEdited")
            attachments = [_describe_attachment(a) for a in message.get("attachments") or [] if isinstance(a, dict)]
            embeds = [_describe_embed(e) for e in message.get("embeds") or [] if isinstance(e, dict)]
            reply_to = reference.get("messageId")
            forwarded_from = None
            if forwarded is not None or str(reference.get("type") or "").lower() == "forward":
                # The forwarder's message is empty; what it carries was written elsewhere by someone else.
                kind, reply_to = "forward", None
                forwarded_from = _message_link(reference, where)
                forwarded = forwarded or {}
                content = forwarded.get("content") or ""
                if not isinstance(content, str):
                    raise ValueError(f"{where} forwardedMessage.content must be text")
                if forwarded.get("timestamp") is not None:
                    _timestamp(forwarded["timestamp"], f"{where} forwardedMessage.timestamp")
                attachments += [_describe_attachment(a) for a in forwarded.get("attachments") or [] if isinstance(a, dict)]
                embeds += [_describe_embed(e) for e in forwarded.get("embeds") or [] if isinstance(e, dict)]
            if kind is None:
                continue
            rows.append(
                MessageRow(
                    id=message_id,
                    guild_id=guild_id,
                    channel_id=channel_id,
                    author_id=author_id,
                    content=content,
                    created_at=created_at,
                    edited_at=_timestamp(edited, f"{where} timestampEdited") if edited else None,
                    # A pin notice refers to the pinned message, as a reply does to the one it answers.
                    reply_to_id=_snowflake(reply_to, f"{where} reference.messageId") if reply_to else None,
                    mention_ids=mention_ids,
                    attachments=attachments,
                    embeds=embeds,
                    is_bot=is_bot,
                    kind=kind,
                    forwarded_from=forwarded_from,
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
            kind=row.kind,
            # The only channels an export names: its own and a thread's parent.
            channel_names={c.id: c.name for c in export.channels if c.name},
        )
        for row in sorted(export.messages, key=lambda r: r.id)
    ]
