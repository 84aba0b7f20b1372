"""The plain records the agents work on. The bot builds them from its database; tests build them by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One chat message, with the author's display name already resolved.

    `created_at` is timezone-aware (UTC). `mention_names` maps each mentioned user id to a
    display name so `<@id>` can be rendered as `@Name`.
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
