"""Which messages a command reads: parsing "last 50", "since 2h" and "since my last message"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from agents.records import MessageRecord
from bot.services.errors import EmptyWindow, InvalidInput
from bot.storage.messages import last_message_by, load_window

DEFAULT_WINDOW_TEXT = "last 100"
MAX_MESSAGES = 2000
MAX_SPAN = timedelta(days=30)

WINDOW_EXAMPLES = ("last 50", "last 200", "since 1h", "since 24h", "since 7d", "since my last message")

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_COUNT = re.compile(r"^(?:last\s+)?(\d+)(?:\s+(?:messages?|msgs?))?$")
_DURATION = re.compile(r"^(?:since|last|past)?\s*(\d+)\s*([a-z]+)$")
_MY_LAST = re.compile(r"^(?:since\s+)?(?:my\s+last(?:\s+message)?|me)$")

USAGE = 'Window must look like "last 50", "since 2h" or "since my last message".'


@dataclass(frozen=True, slots=True)
class Window:
    """A message window: exactly one of `limit`, `span`, `since_my_last_message` is set."""

    limit: int | None = None
    span: timedelta | None = None
    since_my_last_message: bool = False

    def since(self, now: datetime) -> datetime | None:
        return now - self.span if self.span is not None else None

    def describe(self) -> str:
        if self.since_my_last_message:
            return "since your last message"
        if self.span is not None:
            return f"the last {format_span(self.span)}"
        return f"the last {self.limit} messages"


def format_span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def parse_duration(text: str) -> timedelta | None:
    """A span such as "2h", "90 minutes" or "since 3 days" (the one duration parser: slash commands and the
    CLI's --since); None when the text is not a span."""
    match = _DURATION.match(re.sub(r"\s+", " ", text.strip().lower()))
    if match and match.group(2) in _UNITS:
        return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
    return None


def parse_window(text: str | None) -> Window:
    """Parse what a user typed; raise InvalidInput with one line saying what is accepted."""
    raw = (text or DEFAULT_WINDOW_TEXT).strip().lower()
    raw = re.sub(r"\s+", " ", raw)
    if _MY_LAST.match(raw):
        return Window(since_my_last_message=True)
    match = _COUNT.match(raw)
    if match:
        count = int(match.group(1))
        if not 1 <= count <= MAX_MESSAGES:
            raise InvalidInput(f"Pick between 1 and {MAX_MESSAGES} messages.")
        return Window(limit=count)
    span = parse_duration(raw)
    if span is not None:
        if span <= timedelta(0):
            raise InvalidInput("The window must be longer than zero.")
        if span > MAX_SPAN:
            raise InvalidInput(f"The window can reach back at most {format_span(MAX_SPAN)}.")
        return Window(span=span)
    raise InvalidInput(USAGE)


def window_suggestions(current: str) -> list[str]:
    """Autocomplete: the examples that start like what the user typed, else what they typed if it parses."""
    typed = current.strip().lower()
    matches = [example for example in WINDOW_EXAMPLES if example.startswith(typed)]
    if typed and typed not in matches:
        try:
            parse_window(typed)
        except InvalidInput:
            pass
        else:
            matches.insert(0, typed)
    return matches[:25]


async def load_messages(session: AsyncSession, *, channel_id: int, user_id: int, window: Window, now: datetime) -> list[MessageRecord]:
    """The stored messages of a window, oldest first; EmptyWindow (one line) when there are none."""
    if window.since_my_last_message:
        last = await last_message_by(session, channel_id, user_id)
        if last is None:
            raise EmptyWindow('You have no stored message in that channel, so there is no "since your last message".')
        records = await load_window(session, channel_id, after_id=last.id, limit=MAX_MESSAGES)
        if not _people(records):
            raise EmptyWindow("Nothing new has been said there since your last message.")
        return records
    if window.span is not None:
        records = await load_window(session, channel_id, since=window.since(now), limit=MAX_MESSAGES)
    else:
        records = await load_window(session, channel_id, limit=window.limit)
    if not _people(records):
        raise EmptyWindow(f"There are no stored messages in {window.describe()} of that channel.")
    return records


def _people(records: list[MessageRecord]) -> list[MessageRecord]:
    # Bots' messages (the bot's own replies included) are never summarized: a window of only those is empty.
    return [r for r in records if not r.is_bot]
