"""The summary an agent returns: bullets that point at their source messages, and exact coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SummarizeError(RuntimeError):
    """Summarizing failed for a reason the user can act on; str() is one line."""


class EmptyWindowError(SummarizeError):
    """The window holds no message to summarize."""


@dataclass(frozen=True, slots=True)
class Bullet:
    """One line of a summary and the messages it came from, most relevant first (for jump links).

    `section` says where it belongs: "topic" (what happened in one conversation), "decision",
    "action" (an action item with its final state), "question" (asked, never answered), "fact"
    (a key number, date or link) or "note" (what was left out on purpose, e.g. spam).
    """

    text: str
    message_ids: tuple[int, ...]
    section: str = "topic"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "message_ids": [str(i) for i in self.message_ids], "section": self.section}


@dataclass(slots=True)
class Summary:
    bullets: list[Bullet]
    participants: list[str]  # display names, most active first
    start: datetime
    end: datetime
    model_key: str
    messages_read: int  # messages the model read, every part of them
    messages_total: int  # messages in the window (bot messages excluded unless asked for)
    chunks_total: int = 0  # chunks the model read (0 for extractive)
    chunks_cached: int = 0  # of those, how many came from the cache without running the model
    profile: str = "fast"
    channel_id: int | None = None
    bot_messages_skipped: int = 0
    # Anything the reader should know about how the summary was made: pre-selection, fallbacks.
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.messages_read == self.messages_total

    @property
    def coverage(self) -> str:
        """One line saying exactly what was read, e.g. `read all 500 messages (17 chunks, 16 cached)`."""
        if self.complete:
            what = "the only message" if self.messages_total == 1 else f"all {self.messages_total} messages"
        else:
            what = f"{self.messages_read} of {self.messages_total} messages"
        details = []
        if self.chunks_total:
            chunks = f"{self.chunks_total} chunk{'s' if self.chunks_total != 1 else ''}"
            if self.chunks_cached:
                chunks += f", {self.chunks_cached} cached"
            details.append(chunks)
        if self.bot_messages_skipped:
            details.append(f"{self.bot_messages_skipped} bot message{'s' if self.bot_messages_skipped != 1 else ''} skipped")
        return f"read {what}" + (f" ({'; '.join(details)})" if details else "")

    def to_dict(self) -> dict[str, Any]:
        # Discord ids are strings in JSON: they exceed what JavaScript numbers hold exactly.
        return {
            "bullets": [bullet.to_dict() for bullet in self.bullets],
            "participants": list(self.participants),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "model_key": self.model_key,
            "profile": self.profile,
            "channel_id": str(self.channel_id) if self.channel_id is not None else None,
            "messages_read": self.messages_read,
            "messages_total": self.messages_total,
            "bot_messages_skipped": self.bot_messages_skipped,
            "chunks_total": self.chunks_total,
            "chunks_cached": self.chunks_cached,
            "coverage": self.coverage,
            "notes": list(self.notes),
        }
