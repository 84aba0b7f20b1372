"""What `smolcord summarize` and `smolcord tasks` read: an export file or a window of a stored channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from agents.records import MessageRecord
from bot.cli import CliError
from bot.services.windows import parse_duration


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A span before now (`30m`, `2h`, `7d`, `1w`, `90 minutes`: the slash commands' parser), or an ISO
    date/time (UTC when it names no zone)."""
    now = now or datetime.now(UTC)
    span = parse_duration(text)
    if span is not None:
        return now - span
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--since {text!r}: use a span like 30m, 2h, 7d or an ISO date/time like 2026-03-01T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select_window(records: Sequence[MessageRecord], since: datetime | None, last: int | None) -> list[MessageRecord]:
    """The records since `since`, then only the newest `last` of them."""
    chosen = [m for m in records if since is None or m.created_at >= since]
    return chosen[-last:] if last else chosen


def records_from_file(path: str) -> list[MessageRecord]:
    """A DiscordChatExporter file's messages, or a CliError naming the file and the problem."""
    from bot.exports import ExportError, export_records, read_export

    try:
        return export_records(read_export(path))
    except ExportError as exc:
        raise CliError(str(exc)) from None
