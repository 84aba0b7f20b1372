"""`smolcord db upgrade|current`: manage the database schema."""

from __future__ import annotations

import argparse

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


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    db.upgrade(settings.database_url, args.revision)
    print(f"database at revision {db.current_revision(settings.database_url)}")
    return 0


def _current(args: argparse.Namespace) -> int:
    settings = load_settings()
    print(db.current_revision(settings.database_url) or "empty (run: smolcord db upgrade)")
    return 0
