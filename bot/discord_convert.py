"""Turn discord.py objects (messages, channels, members, raw edit payloads) into the storage rows of bot.storage.messages
and into the agents' plain MessageRecord."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import discord

from agents.records import MessageRecord
from bot.services.access import digest_may_include
from bot.storage.messages import ChannelRow, GuildRow, MemberRow, MessageRow

# Message types that carry something a person (or a bot replying to one) said: kind "default". Every other
# type (pins, joins, boosts, thread created, ...) is a notice Discord wrote, stored as kind "system".
STORED_MESSAGE_TYPES = frozenset(
    {
        discord.MessageType.default,
        discord.MessageType.reply,
        discord.MessageType.chat_input_command,
        discord.MessageType.context_menu_command,
    }
)
# A thread's starter message repeats the parent channel's message, which is stored with that channel.
SKIPPED_MESSAGE_TYPES = frozenset({discord.MessageType.thread_starter_message})

# The texts DiscordChatExporter writes for these notices, so imported and collected notices read alike.
SYSTEM_TEXTS = {
    discord.MessageType.pins_add: "Pinned a message.",
    discord.MessageType.new_member: "Joined the server.",
    discord.MessageType.thread_created: "Started a thread.",
    discord.MessageType.channel_icon_change: "Changed the channel icon.",
    discord.MessageType.recipient_add: "Added a recipient.",
    discord.MessageType.recipient_remove: "Removed a recipient.",
}

# Channels whose messages are stored, and forums (stored as the parent of their posts).
MESSAGE_CHANNEL_TYPES = (discord.TextChannel, discord.VoiceChannel, discord.StageChannel, discord.Thread)
PARENT_CHANNEL_TYPES = (discord.TextChannel, discord.ForumChannel)

EMBED_TEXT_LIMIT = 500


def guild_row(guild: discord.Guild) -> GuildRow:
    return GuildRow(id=guild.id, name=guild.name or "")


def channel_row(channel: discord.abc.GuildChannel | discord.Thread) -> ChannelRow:
    parent_id = channel.parent_id if isinstance(channel, discord.Thread) else None
    return ChannelRow(id=channel.id, guild_id=channel.guild.id, name=channel.name or "", kind=channel.type.name, parent_id=parent_id)


def channel_rows(channel: Any) -> tuple[ChannelRow, ...]:
    """The channel's row, and for a thread its parent's too (deleting the parent must find the thread)."""
    if isinstance(channel, discord.PartialMessageable):
        # A channel the cache does not know yet (an unarchived thread, say): its name arrives with the next update.
        return (ChannelRow(id=channel.id, guild_id=channel.guild_id or 0, name="", kind="unknown"),)
    if isinstance(channel, discord.Thread):
        parent = channel.parent
        if parent is not None:
            return (channel_row(parent), channel_row(channel))
    return (channel_row(channel),)


def member_row(guild: discord.Guild, user: discord.abc.User) -> MemberRow:
    # A REST message carries a plain User; the cached Member, when there is one, knows the nickname.
    member = user if isinstance(user, discord.Member) else guild.get_member(user.id)
    name = (member or user).display_name
    return MemberRow(guild_id=guild.id, user_id=user.id, display_name=name[:100], is_bot=user.bot)


def message_members(message: discord.Message) -> tuple[MemberRow, ...]:
    """Display names of the author and everyone mentioned, so stored mentions can be rendered as names."""
    guild = message.guild
    assert guild is not None
    users = {message.author.id: message.author}
    for user in message.mentions:
        users.setdefault(user.id, user)
    return tuple(member_row(guild, user) for user in users.values())


def describe_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} kB"
    return f"{size / (1024 * 1024):.1f} MB"


def describe_attachment(attachment: discord.Attachment) -> str:
    """`image.png (image/png, 120 kB)`: what a reader needs, never the file itself."""
    kind = attachment.content_type or "file"
    return f"{attachment.filename} ({kind.split(';')[0]}, {describe_size(attachment.size)})"


def describe_embed(embed: discord.Embed) -> str | None:
    """`embed: title: description ...`, cut to a few hundred characters; None for an embed without text."""
    parts = [embed.title or "", embed.description or ""]
    parts += [f"{field.name}: {field.value}" for field in embed.fields]
    if embed.footer and embed.footer.text:
        parts.append(embed.footer.text)
    text = " | ".join(p.strip() for p in parts if p and p.strip())
    if not text:
        return None
    text = "embed: " + text
    return text if len(text) <= EMBED_TEXT_LIMIT else text[: EMBED_TEXT_LIMIT - 1] + "…"


def describe_embeds(embeds: list[discord.Embed]) -> list[str]:
    return [text for text in (describe_embed(e) for e in embeds) if text]


def is_storable(message: discord.Message) -> bool:
    channel = message.channel
    known_place = isinstance(channel, MESSAGE_CHANNEL_TYPES) or (
        isinstance(channel, discord.PartialMessageable) and channel.guild_id is not None
    )
    return message.guild is not None and message.type not in SKIPPED_MESSAGE_TYPES and known_place


def is_forward(message: discord.Message) -> bool:
    reference = message.reference
    return bool(message.message_snapshots) or (reference is not None and reference.type is discord.MessageReferenceType.forward)


def message_kind(message: discord.Message) -> str:
    """ "forward", "default" (what a member wrote) or "system" (a notice Discord wrote)."""
    if is_forward(message):
        return "forward"
    return "default" if message.type in STORED_MESSAGE_TYPES else "system"


def system_text(message: discord.Message) -> str:
    if message.type is discord.MessageType.channel_name_change:
        return f"Changed the channel name: {message.content}" if message.content else "Changed the channel name."
    if message.type in SYSTEM_TEXTS:
        return SYSTEM_TEXTS[message.type]
    try:
        return message.system_content or message.content
    except (AttributeError, IndexError, TypeError):  # a notice discord.py cannot render from this payload
        return message.content


def forward_link(message: discord.Message) -> str | None:
    reference = message.reference
    if reference is None or reference.channel_id is None:
        return None
    link = f"https://discord.com/channels/{reference.guild_id or '@me'}/{reference.channel_id}"
    return f"{link}/{reference.message_id}" if reference.message_id else link


def stored_content(message: discord.Message, kind: str) -> tuple[str, list[discord.Attachment], list[discord.Embed]]:
    """The text, attachments and embeds stored for a message of that kind."""
    content, attachments, embeds = message.content, list(message.attachments), list(message.embeds)
    if kind == "forward":
        # The forwarder's own message is empty: what it carries was written elsewhere, by someone else.
        content = "\n".join(s.content for s in message.message_snapshots if s.content)
        for snapshot in message.message_snapshots:
            attachments += snapshot.attachments
            embeds += snapshot.embeds
    elif kind == "system":
        content = system_text(message)
    return content, attachments, embeds


def message_row(message: discord.Message) -> MessageRow:
    assert message.guild is not None
    kind = message_kind(message)
    reference = message.reference
    reply_to = None
    if reference is not None and (message.type is discord.MessageType.reply or kind == "system"):
        reply_to = reference.message_id  # a pin notice refers to the pinned message
    content, attachments, embeds = stored_content(message, kind)
    return MessageRow(
        id=message.id,
        guild_id=message.guild.id,
        channel_id=message.channel.id,
        author_id=message.author.id,
        content=content,
        created_at=message.created_at,
        edited_at=message.edited_at,
        reply_to_id=reply_to,
        mention_ids=list(dict.fromkeys(u.id for u in message.mentions)),
        attachments=[describe_attachment(a) for a in attachments],
        embeds=describe_embeds(embeds),
        is_bot=message.author.bot,
        kind=kind,
        forwarded_from=forward_link(message) if kind == "forward" else None,
    )


def edit_fields(data: dict[str, Any], message: discord.Message) -> dict[str, Any]:
    """The stored fields a MESSAGE_UPDATE changes: only those present in the raw payload.

    A link preview arriving later sends embeds but no edited_timestamp; it must not touch content,
    attachments or mentions, nor mark the message edited.
    """
    fields: dict[str, Any] = {}
    # A forward's or a notice's own content is empty: what is stored for it comes from the same place as on create.
    content, attachments, embeds = stored_content(message, message_kind(message))
    if "content" in data:
        fields["content"] = content or ""
    if data.get("edited_timestamp"):
        fields["edited_at"] = message.edited_at
    if "mentions" in data:
        fields["mention_ids"] = list(dict.fromkeys(int(u["id"]) for u in data["mentions"]))
    if "attachments" in data:
        fields["attachments"] = [describe_attachment(a) for a in attachments]
    if "embeds" in data:
        fields["embeds"] = describe_embeds(embeds)
    return fields


def is_full_message(data: dict[str, Any]) -> bool:
    """Whether an update payload is a whole message (Discord's usual today), enough to store it if it is new to us."""
    return all(key in data for key in ("author", "timestamp", "content", "type"))


# --- plain records for the agents ----------------------------------------------------------------------------------

CHANNEL_MENTION = re.compile(r"<#(\d+)>")


def channel_names(guild: discord.Guild | None, channel_ids: Iterable[int], shown_in: Any) -> dict[int, str]:
    """Names of the mentioned channels that may be shown in `shown_in`: only channels everyone who reads
    `shown_in` can see (a private channel's name stays `#channel`), and only those the bot's cache knows."""
    if guild is None or not isinstance(shown_in, (discord.abc.GuildChannel, discord.Thread)):
        return {}
    names: dict[int, str] = {}
    for channel_id in dict.fromkeys(channel_ids):
        channel = guild.get_channel_or_thread(channel_id)
        if channel is None or not channel.name:
            continue
        try:
            visible = digest_may_include(channel, shown_in)
        except discord.ClientException:  # a thread whose parent is not cached
            visible = False
        if visible:
            names[channel_id] = channel.name
    return names


def with_channel_names(record: MessageRecord, guild: discord.Guild | None, shown_in: Any) -> MessageRecord:
    """A stored record with the names of the channels its text mentions (see `channel_names`)."""
    ids = [int(i) for i in CHANNEL_MENTION.findall(record.content or "")]
    if not ids:
        return record
    return dataclasses.replace(record, channel_names=channel_names(guild, ids, shown_in))


def message_record(message: discord.Message) -> MessageRecord:
    """A live Discord message as the agents' plain record (for a chat question and reply-chain messages not
    stored). Channel mentions carry the names that may be shown in the message's own channel."""
    author = message.author
    kind = message_kind(message)
    content, attachments, embeds = stored_content(message, kind)
    return MessageRecord(
        id=message.id,
        channel_id=message.channel.id,
        author_id=author.id,
        author_name=getattr(author, "display_name", None) or author.name,
        content=content,
        created_at=message.created_at,
        edited_at=message.edited_at,
        reply_to_id=message.reference.message_id if message.reference and kind != "forward" else None,
        mention_ids=tuple(user.id for user in message.mentions),
        mention_names={user.id: user.display_name for user in message.mentions},
        attachments=tuple(describe_attachment(a) for a in attachments),
        embeds=tuple(describe_embeds(embeds)),
        is_bot=author.bot,
        guild_id=message.guild.id if message.guild else None,
        channel_name=getattr(message.channel, "name", "") or "",
        channel_names=channel_names(message.guild, message.raw_channel_mentions, message.channel),
        kind=kind,
    )
