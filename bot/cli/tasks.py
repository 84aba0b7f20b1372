"""`smolcord tasks`: the action items of a stored channel or of a DiscordChatExporter file, as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from agents.records import MessageRecord
from agents.tasks import ExtractedTask, find_tasks, summarize_tasks
from agents.tasks.dates import zone
from agents.tasks.overview import format_due
from bot.cli import CliError
from bot.cli._windows import parse_since, records_from_file, select_window

STATUS_CHOICES = ("open", "done", "cancelled")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "tasks",
        help="find action items (who, what, by when) in a stored channel or an export file",
        description=(
            "Find action items in a channel: commitments ('I'll ...'), requests ('@bob can you ...'), their "
            "deadlines and whether later messages closed them. Read a stored channel with --channel ID, or a "
            "DiscordChatExporter JSON file."
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a DiscordChatExporter JSON export (instead of --channel)")
    parser.add_argument("--channel", type=int, metavar="ID", help="a channel stored in the database")
    parser.add_argument("--limit", type=int, metavar="N", help="read only the newest N messages")
    parser.add_argument("--since", metavar="WHEN", help="read messages since an ISO date/time or a span like 24h, 7d")
    parser.add_argument("--timezone", metavar="TZ", help="IANA zone for deadlines (default: the guild's setting, else UTC)")
    parser.add_argument("--status", choices=STATUS_CHOICES, help="only tasks with this status")
    parser.add_argument("--json", action="store_true", help="print a JSON list of tasks")
    parser.add_argument("--save", action="store_true", help="store the tasks in the database (with --channel)")
    parser.add_argument("--overview", action="store_true", help="print a written overview of the open tasks per person")
    parser.add_argument("--model", metavar="KEY", help="summarization model for --overview (default: a template, no model)")
    parser.add_argument(
        "--review-model", metavar="KEY", help="also let this model judge suggestions ('we should ...'): a text_generation or embedding key"
    )
    parser.set_defaults(func=_tasks)


def task_json(task: ExtractedTask) -> dict[str, Any]:
    return {
        "owner_id": task.owner_id,
        "owner_name": task.owner_name,
        "task": task.task,
        "due": task.due.isoformat() if task.due else None,
        "due_text": task.due_text,
        "status": task.status,
        "source_message_ids": list(task.source_message_ids),
        "fingerprint": task.fingerprint,
    }


def task_line(task: ExtractedTask, tz) -> str:
    owner = task.owner_name or "unassigned"
    due = format_due(task, tz)
    when = f" (due {due})" if task.due else f" ({due})" if due else ""
    return f"[{task.status}] {owner}: {task.task}{when}"


async def _tasks(args: argparse.Namespace) -> int:
    if bool(args.file) == bool(args.channel):
        raise CliError("give either an export FILE or --channel ID (not both)")
    if args.save and not args.channel:
        raise CliError("--save stores tasks of a stored channel: import the file first (smolcord import FILE), then use --channel")
    if args.limit is not None and args.limit <= 0:
        raise CliError("--limit must be a positive number of messages")
    since = parse_since(args.since) if args.since else None
    if args.timezone:
        try:
            zone(args.timezone)
        except ValueError as exc:
            raise CliError(f"--timezone: {exc}") from None

    manager = None
    if args.review_model or args.model:
        from agents.runtime import ModelManager
        from bot.settings import load_settings

        manager = ModelManager.from_settings(load_settings())
    try:
        if args.file:
            records = select_window(records_from_file(args.file), since, args.limit)
            tz_name = args.timezone or "UTC"
            tasks = await _find(records, tz_name, manager, args.review_model)
        else:
            records, tasks, tz_name = await _stored_channel(args, since, manager)
        await _print(args, records, tasks, tz_name, manager)
    finally:
        if manager is not None:
            await manager.close()
    return 0


async def _find(records, tz_name, manager, review_model) -> list[ExtractedTask]:
    from agents.runtime import ModelError
    from sml_config import UnknownModelError

    try:
        return await find_tasks(records, timezone=tz_name, manager=manager, review_model=review_model)
    except (ModelError, UnknownModelError) as exc:
        raise CliError(str(exc)) from None


async def _stored_channel(
    args: argparse.Namespace, since: datetime | None, manager
) -> tuple[list[MessageRecord], list[ExtractedTask], str]:
    from bot.services.guild_settings import guild_timezone
    from bot.settings import load_settings
    from bot.storage import db
    from bot.storage.messages import load_window
    from bot.storage.tasks import save_tasks

    settings = load_settings()
    engine, sessions = await db.open_database(settings.database_url)
    try:
        async with sessions() as session:
            records = await load_window(session, args.channel, limit=args.limit, since=since)
            if not records:
                raise CliError(f"channel {args.channel} has no stored messages" + (" in that window" if since or args.limit else ""))
            guild_id = records[0].guild_id
            tz_name = args.timezone or (await guild_timezone(session, guild_id) if guild_id is not None else "UTC")
        tasks = await _find(records, tz_name, manager, args.review_model)
        if args.save:
            if guild_id is None:
                raise CliError(f"channel {args.channel} belongs to no server or DM export: nothing to save the tasks under")
            async with sessions.begin() as session:
                created, updated = await save_tasks(session, guild_id, args.channel, tasks)
            print(f"saved: {len(created)} new, {len(updated)} updated", file=sys.stderr)
        return records, tasks, tz_name
    finally:
        await engine.dispose()


async def _print(args: argparse.Namespace, records, tasks: list[ExtractedTask], tz_name: str, manager) -> None:
    shown = [t for t in tasks if args.status is None or t.status == args.status]
    if args.json:
        print(json.dumps([task_json(task) for task in shown], ensure_ascii=False, indent=2))
        return
    if args.overview:
        from agents.runtime import ModelError
        from sml_config import UnknownModelError

        try:
            print(await summarize_tasks(records, args.model or "extractive", manager=manager, timezone=tz_name, tasks=tasks))
        except (ModelError, UnknownModelError) as exc:
            raise CliError(str(exc)) from None
        return
    tz = zone(tz_name)
    channel = records[0].channel_name if records else ""
    heading = f"#{channel}" if channel else "this channel"
    open_count = sum(t.status == "open" for t in tasks)
    print(f"{heading}: {len(tasks)} tasks ({open_count} open) in {len(records)} messages, deadlines in {tz_name}")
    for task in shown:
        print(task_line(task, tz))
