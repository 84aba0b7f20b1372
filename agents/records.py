"""The plain records the agents work on. The bot builds them from its database; tests build them by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One chat message, with the author's display name already resolved.

    `created_at` is timezone-aware (UTC). `mention_names` maps each mentioned user id to a
    display name so `<@id>` can be rendered as `@Name`; `channel_names` and `role_names` do the same
    for `<#id>` and `<@&id>`.

    `kind` says what the message is: "default" (what a member wrote, replies included), "system"
    (a notice Discord wrote: a pin, a join, a thread started; `content` is its text, e.g. "Pinned a
    message.") or "forward" (`content` is the forwarded message's text, written elsewhere by someone
    else, never the forwarder's own words).
    """

    id: int
    channel_id: int
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    edited_at: datetime | None = None
    reply_to_id: int | None = None
    mention_ids: tuple[int, ...] = ()
    mention_names: dict[int, str] = field(default_factory=dict, hash=False)
    attachments: tuple[str, ...] = ()
    embeds: tuple[str, ...] = ()
    is_bot: bool = False
    guild_id: int | None = None
    channel_name: str = ""
    channel_names: dict[int, str] = field(default_factory=dict, hash=False)
    role_names: dict[int, str] = field(default_factory=dict, hash=False)
    kind: str = "default"
