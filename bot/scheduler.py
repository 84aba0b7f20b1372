"""The bot's one APScheduler: jobs persisted in the database (they survive restarts), run on the bot's event loop.

The scheduler itself (its timer and the job store's synchronous SQL) lives in its own thread, so a job store
query waiting on a busy SQLite file can never stall the gateway; only the jobs, which are coroutines, are
handed to the bot's loop (`BotLoopExecutor`).

Jobs are module-level functions referenced by import path ("bot.scheduler:purge_expired_messages") with
picklable arguments only; they reach the running bot through `current_bot()`.

The bot creates and starts it in `setup_hook` (`start_scheduler`, as `bot.scheduler`) and shuts it down in
`close`; cogs add their jobs with `replace_existing=True`. The scheduler cog (bot/cogs/scheduler.py) adds the
retention job.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.util import iscoroutinefunction_partial
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import create_engine

from bot.settings import Settings
from bot.storage import db
from bot.storage import messages as store
from bot.storage import summaries

if TYPE_CHECKING:
    from bot.client import Smolcord

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"  # created by the first migration, not by APScheduler
RETENTION_JOB_ID = "retention"
RETENTION_JOB = "bot.scheduler:purge_expired_messages"
# Quiet hour for the daily purge (UTC).
RETENTION_HOUR, RETENTION_MINUTE = 3, 17
CHUNK_CACHE_UNUSED = timedelta(days=30)

_bot: Smolcord | None = None
_scheduler: BackgroundScheduler | None = None


class BotLoopExecutor(BaseExecutor):
    """Runs each (coroutine) job on the bot's event loop, submitted from the scheduler's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop = loop

    def _do_submit_job(self, job, run_times) -> None:
        if not iscoroutinefunction_partial(job.func):
            raise TypeError(f"scheduled job {job.id!r} must be an async function (it runs on the bot's loop)")

        def finished(future) -> None:
            try:
                events = future.result()
            except BaseException:
                self._run_job_error(job.id, *sys.exc_info()[1:])
            else:
                self._run_job_success(job.id, events)

        coroutine = run_coroutine_job(job, job._jobstore_alias, run_times, self._logger.name)
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).add_done_callback(finished)


def create_scheduler(settings: Settings, loop: asyncio.AbstractEventLoop) -> BackgroundScheduler:
    """A scheduler (not started) whose jobs live in the `apscheduler_jobs` table and run on `loop`."""
    engine = create_engine(settings.sync_database_url, pool_pre_ping=not settings.sync_database_url.startswith("sqlite"))
    db.install_sqlite_pragmas(engine)
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": BotLoopExecutor(loop)},
        timezone=timezone.utc,
        # A job missed while the bot was down runs once when it is back, however late.
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    )


def start_scheduler(bot: Smolcord) -> BackgroundScheduler:
    """Create and start the scheduler whose jobs act on `bot` (call it once, on the bot's loop)."""
    global _bot, _scheduler
    if _scheduler is not None:
        log.warning("a scheduler from an earlier bot was still running; shutting it down")
        _shutdown_now()
    _scheduler = create_scheduler(bot.settings, asyncio.get_running_loop())
    _bot = bot
    _scheduler.start()
    return _scheduler


def current_bot() -> Smolcord | None:
    """The bot jobs act on; None when no bot is running (a job that fires during shutdown does nothing)."""
    return _bot


def current_scheduler() -> BackgroundScheduler | None:
    return _scheduler


def shutdown_scheduler(bot: Smolcord) -> None:
    """Stop the scheduler of `bot` (jobs stay in the database for the next start)."""
    if _bot is bot:
        _shutdown_now()


def _shutdown_now() -> None:
    global _bot, _scheduler
    scheduler, _scheduler, _bot = _scheduler, None, None
    if scheduler is not None:
        stop_scheduler(scheduler)


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop a scheduler made by `create_scheduler` and close its job store's database connections."""
    if scheduler.running:
        scheduler.shutdown(wait=False)
    for store_ in scheduler._jobstores.values():  # the job store's engine is ours to dispose
        engine = getattr(store_, "engine", None)
        if engine is not None:
            engine.dispose()


def schedule_retention(scheduler: BackgroundScheduler) -> Any:
    """The daily purge of messages older than each guild's retention (replaces the stored job, if any)."""
    return scheduler.add_job(
        RETENTION_JOB,
        CronTrigger(hour=RETENTION_HOUR, minute=RETENTION_MINUTE, timezone=timezone.utc),
        id=RETENTION_JOB_ID,
        name="purge messages past their retention",
        replace_existing=True,
    )


async def purge_expired_messages() -> int:
    """The retention job: delete messages older than the guild's retention_days (else
    SMOLCORD_RETENTION_DAYS; 0 keeps them forever). Returns how many were deleted."""
    bot = current_bot()
    if bot is None:
        log.info("retention job fired with no bot running; skipped")
        return 0
    await bot.writer.flush()  # messages received but not yet written are purged too
    now = datetime.now(timezone.utc)
    async with bot.sessions.begin() as session:
        removed = await store.purge_expired(session, now, bot.settings.default_retention_days)
        # Cached chunk summaries nobody has asked for in a month only take space.
        pruned = await summaries.prune_chunks(session, unused_since=now - CHUNK_CACHE_UNUSED)
    log.info("retention: removed %d expired messages and %d unused cached summaries", removed, pruned)
    return removed
