"""Turning Discord messages into the short `Name: text` lines a summarization model reads.

The markup itself is rendered by `agents.markup` (the one renderer every agent uses); this module
only adds who said it and to whom.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.markup import clean_name, plain_text
from agents.records import MessageRecord


def render_content(message: MessageRecord) -> str:
    """The message body as one readable line: mentions named, code and links condensed (PR numbers kept), markup removed."""
    return plain_text(message, compact=True) or "[empty message]"


def speaker(message: MessageRecord) -> str:
    name = clean_name(message.author_name, f"user {message.author_id}")
    return f"{name} [bot]" if message.is_bot else name


def render_message(message: MessageRecord, reply_to_name: str | None = None) -> str:
    """`Name: text`, or `Name (to Other): text` for a reply whose target is in the window."""
    who = speaker(message)
    if reply_to_name:
        who = f"{who} (to {reply_to_name})"
    return f"{who}: {render_content(message)}"


def render_messages(messages: Sequence[MessageRecord]) -> list[str]:
    """One line per message, in order; replies name the author they answer when it is in the window."""
    authors = {m.id: speaker(m) for m in messages}
    return [render_message(m, authors.get(m.reply_to_id) if m.reply_to_id is not None else None) for m in messages]
