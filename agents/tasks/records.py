"""The plain results of task extraction: a task found in a conversation and the changes later messages made to it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

STATUSES = ("open", "done", "cancelled")


@dataclass(frozen=True, slots=True)
class TaskChange:
    """One later message changing a task: who did it, in which message, and what the task became."""

    kind: str  # "done" | "cancelled" | "reassigned" | "claimed" | "released" (the owner gave it back; owner_id None)
    message_id: int
    actor_id: int
    at: datetime
    status: str
    owner_id: int | None = None


@dataclass(frozen=True, slots=True)
class ExtractedTask:
    """An action item: who should do what by when, where it was said, and where it stands now.

    `due` is an aware datetime in the guild's timezone, or None; `due_text` keeps the phrase as
    written ("Friday", "next sprint") even when it is not a date. `source_message_ids` are the
    messages that created or changed the task, oldest first. `fingerprint` identifies the task
    across scans of overlapping windows.
    """

    owner_id: int | None
    owner_name: str | None
    task: str
    due: datetime | None
    due_text: str | None
    status: str
    source_message_ids: tuple[int, ...]
    fingerprint: str
    channel_id: int | None = None
    requester_id: int | None = None
    said_at: datetime | None = None
    evidence: str = ""
    tentative: bool = False
    changes: tuple[TaskChange, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        data["said_at"] = self.said_at.isoformat() if self.said_at else None
        data["source_message_ids"] = list(self.source_message_ids)
        data["changes"] = [{**asdict(change), "at": change.at.isoformat()} for change in self.changes]
        return data


def normalize_task_text(text: str) -> str:
    """Lower-case words only, so punctuation or capitals never make a new task."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def task_fingerprint(channel_id: int | None, first_message_id: int, text: str) -> str:
    """sha256 of channel, first source message and normalized text: the same task found again has the same one."""
    key = f"{channel_id or 0}:{first_message_id}:{normalize_task_text(text)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
