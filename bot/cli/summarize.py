"""`smolcord summarize`: summarize a stored channel or a DiscordChatExporter file, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Never

from agents.records import MessageRecord
from bot.cli import CliError
from bot.cli._windows import parse_since, records_from_file, select_window

if TYPE_CHECKING:  # imported when a command runs, so `smolcord --help` stays fast
    from tqdm import tqdm

    from agents.runtime import ModelManager
    from agents.summarize import ChunkCache, Summary
    from bot.settings import Settings

PROFILES = ("fast", "quality")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "summarize",
        help="summarize a stored channel or a DiscordChatExporter export file",
        description=(
            "Summarize every message of a window: a channel stored in the database (--channel ID) or a "
            "DiscordChatExporter JSON file. Long windows are read in chunks and merged; nothing is cut off."
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a DiscordChatExporter JSON export (instead of --channel)")
    parser.add_argument("--channel", type=int, metavar="ID", help="a channel stored in the database")
    parser.add_argument("--last", type=int, metavar="N", help="only the newest N messages")
    parser.add_argument("--since", metavar="WHEN", help="only messages since a span (30m, 2h, 7d) or an ISO date/time")
    parser.add_argument(
        "--model", metavar="KEY", help="summarization model key (default: the configured default; see: smolcord models list)"
    )
    parser.add_argument("--profile", choices=PROFILES, default="fast", help="fast: greedy and int8; quality: beam search (default: fast)")
    parser.add_argument("--include-bots", action="store_true", help="also read messages written by bots")
    parser.add_argument("--no-cache", action="store_true", help="do not reuse or store chunk summaries (with --channel)")
    parser.add_argument("--json", action="store_true", help="print the structured summary as JSON")
    parser.set_defaults(func=_summarize)


def format_summary(summary: Summary, records: Sequence[MessageRecord]) -> str:
    """The summary as the bot posts it, in text: topics, then each section under its heading; every
    line ends with the times of the messages it cites (the bot makes those jump links)."""
    from agents.markup import clean_name, clean_text
    from agents.summarize.recap import grouped

    by_id = {m.id: m for m in records}
    channel = clean_name(next((m.channel_name for m in records if m.channel_name), ""), "")
    start, end = summary.start, summary.end
    span = (
        f"{start:%Y-%m-%d %H:%M} – {end:%H:%M} UTC" if start.date() == end.date() else f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"
    )
    lines = [f"{'#' + channel if channel else 'Summary'} · {span} · {summary.model_key} ({summary.profile})"]
    if summary.participants:
        lines.append("Participants: " + ", ".join(clean_name(p) for p in summary.participants))
    for heading, bullets in grouped(summary.bullets):
        lines.append("")
        if heading:
            lines.append(heading)
        for bullet in bullets:
            times = sorted({f"{by_id[i].created_at:%H:%M}" for i in bullet.message_ids if i in by_id})
            where = f" [{', '.join(times)}]" if times else ""
            lines.append(f"• {clean_text(bullet.text)}{where}")
    if not any(b.section == "question" for b in summary.bullets):
        lines.append("")
        lines.append("Open questions: none left unanswered.")
    lines.append("")
    lines.append(summary.coverage)
    lines.extend(f"note: {note}" for note in summary.notes)
    return "\n".join(lines)


class _ProgressBar:
    """A progress bar on stderr while chunks are read (silent when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bar: tqdm[Never] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        from tqdm import tqdm

        if self.bar is None or self.bar.desc != stage:
            self.close()
            self.bar = tqdm(total=total, desc=stage, unit="chunk", leave=False, file=sys.stderr)
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


async def run_summary(
    records: Sequence[MessageRecord],
    *,
    manager: ModelManager | None,
    model_key: str | None,
    profile: str,
    cache: ChunkCache | None,
    include_bots: bool,
    channel_id: int | None = None,
) -> Summary:
    """summarize_messages with every user-facing failure turned into a CliError (one line)."""
    from agents.loading import ModelError
    from agents.summarize import SummarizeError, summarize_messages
    from sml_config import ModelConfigError, UnknownModelError

    progress = _ProgressBar()
    try:
        return await summarize_messages(
            records,
            manager=manager,
            model_key=model_key,
            profile=profile,
            cache=cache,
            include_bots=include_bots,
            channel_id=channel_id,
            progress=progress,
        )
    except (SummarizeError, ModelError, UnknownModelError, ModelConfigError) as exc:
        raise CliError(str(exc)) from None
    finally:
        progress.close()


def _manager(settings: Settings) -> ModelManager:
    from agents.runtime import ModelManager
    from sml_config import ModelConfigError

    try:
        return ModelManager.from_settings(settings)
    except ModelConfigError as exc:
        raise CliError(str(exc)) from None


async def _summarize(args: argparse.Namespace) -> int:
    from bot.settings import load_settings

    if bool(args.file) == bool(args.channel):
        raise CliError("give either an export FILE or --channel ID (not both)")
    if args.last is not None and args.last <= 0:
        raise CliError("--last must be a positive number of messages")
    since = parse_since(args.since) if args.since else None
    settings = load_settings()
    manager = _manager(settings)
    try:
        if args.file:
            records = select_window(records_from_file(args.file), since, args.last)
            summary = await run_summary(
                records, manager=manager, model_key=args.model, profile=args.profile, cache=None, include_bots=args.include_bots
            )
        else:
            records, summary = await _stored_channel(args, settings, manager, since)
    finally:
        await manager.close()
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(summary, records))
    return 0


async def _stored_channel(args: argparse.Namespace, settings: Settings, manager: ModelManager, since: datetime | None):
    from bot.storage import db
    from bot.storage.messages import load_window
    from bot.storage.summaries import DatabaseChunkCache

    engine, sessions = await db.open_database(settings.database_url)
    try:
        async with sessions() as session:
            records = await load_window(session, args.channel, limit=args.last, since=since)
        if not records:
            window = " in that window" if since or args.last else ""
            raise CliError(f"channel {args.channel} has no stored messages{window} (import an export with: smolcord import FILE)")
        cache = None if args.no_cache else DatabaseChunkCache(sessions)
        summary = await run_summary(
            records,
            manager=manager,
            model_key=args.model,
            profile=args.profile,
            cache=cache,
            include_bots=args.include_bots,
            channel_id=args.channel,
        )
        return records, summary
    finally:
        await engine.dispose()
