"""The database engine, sessions and migrations (Alembic is the only thing that creates the schema)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
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
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"unsupported database backend {dialect!r}")


class DatabaseUnavailable(Exception):
    """The database DATABASE_URL names cannot be used; the message says which (password hidden) and why, in one line."""


def describe_url(url: str) -> str:
    """The URL as it is safe to print: the password replaced by ***."""
    try:
        parsed = make_url(url)
        # As the user wrote it in DATABASE_URL: without the async driver smolcord picked.
        return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is printed as the user wrote it, minus anything after '@'
        return url.split("@")[-1]


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser()


def check_sqlite_folder(url: str) -> None:
    """Refuse a SQLite file whose folder is missing, instead of creating folders the user never asked for (a typo
    in DATABASE_URL would otherwise leave them behind); the default data folder is created by `create_data_folder`."""
    path = _sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise DatabaseUnavailable(
            f"the folder {path.parent} for the SQLite database {path.name} does not exist: "
            f"create it (mkdir -p {path.parent}) or point DATABASE_URL at a file in an existing folder"
        )


def create_data_folder(database_url: str, data_dir: Path) -> None:
    """Create the data folder when the database is the default file in it (DATABASE_URL not set)."""
    path = _sqlite_file(database_url)
    if path is not None and path.parent == data_dir.expanduser():
        data_dir.expanduser().mkdir(parents=True, exist_ok=True)


def _unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    reason = getattr(exc, "orig", None) or exc
    first = next((line.strip() for line in str(reason).splitlines() if line.strip()), type(reason).__name__)
    first = first.removeprefix("connection failed: ")
    return DatabaseUnavailable(f"cannot use the database {describe_url(url)}: {first}")


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
    check_sqlite_folder(url)
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

    check_sqlite_folder(url)
    try:
        command.upgrade(alembic_config(url), revision)
    except (OperationalError, InterfaceError, OSError) as exc:  # unreachable, refused, bad password, unwritable
        raise _unavailable(url, exc) from exc


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine as create_sync_engine

    check_sqlite_folder(url)
    engine = create_sync_engine(to_sync_url(url))
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except (OperationalError, InterfaceError, OSError) as exc:
        raise _unavailable(url, exc) from exc
    finally:
        engine.dispose()


async def open_database(url: str) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """Migrate the database to the newest schema, then open it (for the CLI and the bot)."""
    import asyncio

    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    return engine, session_factory(engine)
