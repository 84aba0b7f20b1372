"""The database engine, sessions and migrations (Alembic is the only thing that creates the schema)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Sequence

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.settings import to_sync_url

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_DIR = PROJECT_ROOT / "alembic"


# Bound parameters per statement stay well under SQLite's 32766 and PostgreSQL's 65535.
BATCH_ROWS = 500


def batches(items: Sequence, size: int = BATCH_ROWS) -> Iterable[Sequence]:
    """Slices of `items` small enough for one statement's bound parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def upsert_insert(session: AsyncSession, table):
    """An INSERT that can say ON CONFLICT, for whichever backend the session is on."""
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database backend {dialect!r}")


def _ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


# How long a SQLite statement waits on another process's lock before failing (the writer then retries).
SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_MS)}")
    cursor.close()


def install_sqlite_pragmas(sync_engine) -> None:
    """WAL (readers never block the writer) and foreign keys on every SQLite connection."""
    if sync_engine.dialect.name == "sqlite":
        event.listen(sync_engine, "connect", _sqlite_pragmas)


def create_engine(url: str) -> AsyncEngine:
    _ensure_sqlite_folder(url)
    engine = create_async_engine(url, pool_pre_ping=not url.startswith("sqlite"))
    install_sqlite_pragmas(engine.sync_engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", to_sync_url(url).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema at `url` up to `revision` (blocking: call it in a thread from async code)."""
    from alembic import command

    _ensure_sqlite_folder(url)
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine as create_sync_engine

    engine = create_sync_engine(to_sync_url(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


async def open_database(url: str) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """Migrate the database to the newest schema, then open it (for the CLI and the bot)."""
    import asyncio

    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    return engine, session_factory(engine)
