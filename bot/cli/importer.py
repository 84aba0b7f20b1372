"""`smolcord import FILE...`: load DiscordChatExporter JSON exports into the database."""

from __future__ import annotations

import argparse
import sys

from bot.cli import CliError
from bot.exports import ExportError
from bot.importer import import_file
from bot.settings import load_settings
from bot.storage import db


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "import",
        help="import DiscordChatExporter JSON exports (re-importing adds nothing twice)",
        description="Import DiscordChatExporter JSON exports. Each file is imported whole or not at all.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a JSON export (DiscordChatExporter, format: JSON)")
    parser.add_argument("--no-progress", action="store_true", help="do not show a progress bar")
    parser.set_defaults(func=_import)


async def _import(args: argparse.Namespace) -> int:
    settings = load_settings()
    engine, sessions = await db.open_database(settings.database_url)
    failures = 0
    try:
        for path in args.files:
            try:
                result = await import_file(sessions, path, show_progress=not args.no_progress and sys.stderr.isatty())
            except ExportError as exc:
                failures += 1
                print(f"smolcord: skipped {exc}", file=sys.stderr)
                continue
            skipped = result.messages_in_file - result.messages_added
            print(
                f"{result.path}: #{result.channel}: {result.messages_added} new messages"
                + (f" ({skipped} already stored or opted out)" if skipped else "")
            )
    finally:
        await engine.dispose()
    if failures:
        raise CliError(f"{failures} of {len(args.files)} files were not imported (nothing of them was written)")
    return 0
