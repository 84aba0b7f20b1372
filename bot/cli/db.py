"""`smolcord db upgrade|current|gaps`: manage the database schema; report known gaps in the stored history."""

from __future__ import annotations

import argparse
import asyncio

from bot.settings import load_settings
from bot.storage import db


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("db", help="manage the database schema (Alembic migrations)")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="apply all migrations (the bot also does this on start)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_upgrade)
    current = actions.add_parser("current", help="print the schema revision of the database")
    current.set_defaults(func=_current)
    gaps = actions.add_parser("gaps", help="channels whose stored history has a known gap (the catch-up limit was reached)")
    gaps.set_defaults(func=_gaps)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    db.upgrade(settings.database_url, args.revision)
    print(f"database at revision {db.current_revision(settings.database_url)}")
    return 0


def _current(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(db.current_revision(settings.database_url) or "empty (run: smolcord db upgrade)")
    return 0


def _gaps(args: argparse.Namespace) -> int:
    from bot.storage.messages import known_gaps

    settings = load_settings()

    async def read() -> list:
        engine, sessions = await db.open_database(settings.database_url)
        try:
            async with sessions() as session:
                return await known_gaps(session)
        finally:
            await engine.dispose()

    found = asyncio.run(read())
    if not found:
        print("no known gaps: every channel's history is stored up to its newest message")
        return 0
    for gap in found:
        print(gap.describe())
    print(f"{len(found)} channel(s) with a known gap; the next start of the bot continues fetching them")
    return 0
