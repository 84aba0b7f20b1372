"""The bot's one APScheduler: jobs persisted in the database (they survive restarts), run on the bot's event loop.

The scheduler itself (its timer and the job store's synchronous SQL) lives in its own thread, so a job store
query waiting on a busy SQLite file can never stall the gateway; only the jobs, which are coroutines, are
handed to the bot's loop (`BotLoopExecutor`).

Jobs are module-level functions referenced by import path ("bot.scheduler:purge_expired_messages") with
picklable arguments only; they reach the running bot through `current_bot()`.

The bot creates and starts it in `setup_hook` (`start_scheduler`, as `bot.scheduler`) and shuts it down in
`close`; cogs add their jobs with `replace_existing=True`. The scheduler cog (bot/cogs/scheduler.py) adds the
retention job.

Several processes on one database (sharding, PostgreSQL): every process writes jobs into the one shared job
table, but each job runs in exactly one process, chosen by PostgreSQL advisory locks (`SchedulerLock`):

- A guild's job (id ending in ":<guild id>", the digest) belongs to the guild's shard, `(guild_id >> 22) %
  shard_count`, and runs only in the process holding the lock `(LOCK_NAMESPACE, shard id)`. Only a process
  connected to that shard has the guild (its channels, its members' permissions), so a digest is posted from
  the one process that can post it; and two processes started with the same shard ids (a rolling restart, a
  standby) never both run it: the second waits for the lock.
- Other jobs (retention) belong to no guild and run in the process holding `(LOCK_NAMESPACE, GLOBAL_JOBS)`.

A process retries the locks it lacks every SMOLCORD_SCHEDULER_LOCK_RETRY_S (20 s), so when a holder dies (its
connection drops and PostgreSQL releases its session locks; keepalives make a vanished machine's session go
within ~25 s) another process with that shard takes its jobs within a minute. One lock per shard rather than
one global scheduler is the simplest design that is correct: with one scheduler, a digest of a guild on
another process's shard would need a hand-off table for that process to pick up. The per-day digest claim
(bot/services/digest.py) stays the last line of defence against a double post (a holder cut off from the
database keeps running jobs until its next check notices).

On SQLite there is one process: it runs every job.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import re
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.executors.base import BaseExecutor, run_coroutine_job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import iscoroutinefunction_partial
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from bot.settings import Settings
from bot.storage import db, summaries
from bot.storage import messages as store

if TYPE_CHECKING:
    from bot.client import Smolcord

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"  # created by the first migration, not by APScheduler
RETENTION_JOB_ID = "retention"
RETENTION_JOB = "bot.scheduler:purge_expired_messages"
# Quiet hour for the daily purge (UTC).
RETENTION_HOUR, RETENTION_MINUTE = 3, 17
CHUNK_CACHE_UNUSED = timedelta(days=30)

# Advisory lock keys (int4, int4): this namespace, then a shard id or GLOBAL_JOBS.
LOCK_NAMESPACE = 0x5C0D
GLOBAL_JOBS = -1
_GUILD_JOB = re.compile(r":(\d+)$")

# The latest started bot (one per process in production); a job running on a bot's loop sees its own bot.
_bot: Smolcord | None = None
_scheduler: BackgroundScheduler | None = None
_job_bot: contextvars.ContextVar[Smolcord | None] = contextvars.ContextVar("smolcord_job_bot", default=None)


def job_guild(job_id: str) -> int | None:
    """The guild a job belongs to (ids like "digest:<guild id>"), None for a job of the whole bot."""
    match = _GUILD_JOB.search(job_id)
    return int(match.group(1)) if match else None


class SchedulerLock:
    """Which jobs of the shared job table this process runs: those whose lock it holds (see the module doc).

    On PostgreSQL a thread keeps one dedicated connection holding session-level advisory locks, tries the
    missing ones every `retry_s` and checks the connection is alive; a lost connection drops every lock.
    On SQLite every lock is held from the start.
    """

    def __init__(self, settings: Settings) -> None:
        self.shard_count = settings.shard_count or 1
        self.wanted: tuple[int, ...] = (*settings.held_shards, GLOBAL_JOBS)
        self.retry_s = max(settings.scheduler_lock_retry_s, 0.1)
        self.url = settings.sync_database_url
        self.shared = self.url.startswith("postgresql")
        self.held: frozenset[int] = frozenset() if self.shared else frozenset(self.wanted)
        self._on_change: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def runs(self, job_id: str) -> bool:
        guild_id = job_guild(job_id)
        key = GLOBAL_JOBS if guild_id is None else (guild_id >> 22) % self.shard_count
        return key in self.held

    def start(self, on_change: Any) -> None:
        self._on_change = on_change
        if self.shared and self._thread is None:
            self._thread = threading.Thread(target=self._keep, name="smolcord-scheduler-lock", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop trying; the lock connection is closed, which releases the locks at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _keep(self) -> None:
        engine = create_engine(
            self.url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            # Our side notices a dead server; the SETs below make the server notice a vanished holder.
            connect_args={"connect_timeout": 10, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3},
        )
        connection: Connection | None = None
        try:
            while True:
                try:
                    if connection is None:
                        connection = engine.connect()
                        connection.execute(
                            text("SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3")
                        )
                        self._set_held(frozenset())  # a new session holds nothing yet
                    else:
                        connection.execute(text("SELECT 1"))
                    held = set(self.held)
                    for key in self.wanted:
                        if (
                            key not in held
                            and connection.execute(
                                text("SELECT pg_try_advisory_lock(:namespace, :key)"), {"namespace": LOCK_NAMESPACE, "key": key}
                            ).scalar()
                        ):
                            held.add(key)
                    self._set_held(frozenset(held))
                except Exception as error:  # the database went away: so did our locks
                    log.warning("scheduler lock connection failed (%s); retrying in %.0f s", error, self.retry_s)
                    self._set_held(frozenset())
                    if connection is not None:
                        with contextlib.suppress(Exception):
                            connection.invalidate()
                    connection = None
                if self._stop.wait(self.retry_s):
                    return
                if self._on_change is not None:
                    self._on_change()  # look at the job table again: another process may have added jobs
        finally:
            if connection is not None:
                connection.close()
            engine.dispose()

    def _set_held(self, held: frozenset[int]) -> None:
        if held == self.held:
            return
        gained, lost = sorted(held - self.held), sorted(self.held - held)
        self.held = held
        name = lambda keys: ", ".join("global jobs" if k == GLOBAL_JOBS else f"shard {k}" for k in keys)  # noqa: E731
        if gained:
            log.info("this process now schedules the jobs of %s", name(gained))
        if lost:
            log.warning("this process no longer schedules the jobs of %s", name(lost))
        if self._on_change is not None:
            self._on_change()


class SharedJobStore(SQLAlchemyJobStore):
    """The shared job table, where this scheduler only sees as due the jobs its `SchedulerLock` says it runs.

    Adding, replacing and looking up jobs still sees every job, so a command in any process schedules
    a guild's digest for the process that runs it."""

    def __init__(self, lock: SchedulerLock, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lock = lock

    def start(self, scheduler: Any, alias: str) -> None:
        super().start(scheduler, alias)
        self.lock.start(on_change=scheduler.wakeup)

    def shutdown(self) -> None:
        self.lock.stop()
        super().shutdown()

    def get_due_jobs(self, now: datetime) -> list[Any]:
        return [job for job in super().get_due_jobs(now) if self.lock.runs(job.id)]

    def get_next_run_time(self) -> datetime | None:
        if self.lock.held >= set(self.lock.wanted) and self.lock.shard_count == 1:
            return super().get_next_run_time()  # runs everything: the one-row query
        times = [job.next_run_time for job in self._get_jobs(self.jobs_t.c.next_run_time.isnot(None)) if self.lock.runs(job.id)]
        return min(times, default=None)


def scheduler_lock(scheduler: BackgroundScheduler) -> SchedulerLock | None:
    store = scheduler._jobstores.get("default")
    return store.lock if isinstance(store, SharedJobStore) else None


class BotLoopExecutor(BaseExecutor):
    """Runs each (coroutine) job on the bot's event loop, submitted from the scheduler's thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, bot: Smolcord | None = None) -> None:
        super().__init__()
        self._loop = loop
        self._bot = bot

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
        asyncio.run_coroutine_threadsafe(self._as_bot(coroutine), self._loop).add_done_callback(finished)

    async def _as_bot(self, coroutine: Any) -> Any:
        _job_bot.set(self._bot)  # this task's own context: current_bot() is this scheduler's bot
        return await coroutine


def create_scheduler(settings: Settings, loop: asyncio.AbstractEventLoop, bot: Smolcord | None = None) -> BackgroundScheduler:
    """A scheduler (not started) whose jobs live in the `apscheduler_jobs` table and run on `loop`
    (those this process's `SchedulerLock` gives it)."""
    engine = create_engine(settings.sync_database_url, pool_pre_ping=not settings.sync_database_url.startswith("sqlite"))
    db.install_sqlite_pragmas(engine)
    return BackgroundScheduler(
        jobstores={"default": SharedJobStore(SchedulerLock(settings), engine=engine, tablename=JOB_TABLE)},
        executors={"default": BotLoopExecutor(loop, bot)},
        timezone=UTC,
        # A job missed while the bot was down runs once when it is back, however late.
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
    )


def start_scheduler(bot: Smolcord) -> BackgroundScheduler:
    """Create and start the scheduler whose jobs act on `bot` (call it once, on the bot's loop)."""
    global _bot, _scheduler
    scheduler = create_scheduler(bot.settings, asyncio.get_running_loop(), bot)
    _scheduler, _bot = scheduler, bot
    scheduler.start()
    return scheduler


def current_bot() -> Smolcord | None:
    """The bot jobs act on (in a job: the bot of the scheduler running it); None when no bot is running
    (a job that fires during shutdown does nothing)."""
    job_bot = _job_bot.get()
    if job_bot is not None:
        return None if job_bot.is_closed() else job_bot
    return _bot


def current_scheduler() -> BackgroundScheduler | None:
    return _scheduler


def shutdown_scheduler(bot: Smolcord) -> None:
    """Stop the scheduler of `bot` (jobs stay in the database for the next start; its locks are released)."""
    global _bot, _scheduler
    scheduler = getattr(bot, "scheduler", None)
    if _bot is bot:
        _scheduler, _bot = None, None
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
        CronTrigger(hour=RETENTION_HOUR, minute=RETENTION_MINUTE, timezone=UTC),
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
    now = datetime.now(UTC)
    async with bot.sessions.begin() as session:
        removed = await store.purge_expired(session, now, bot.settings.default_retention_days)
        # Cached chunk summaries nobody has asked for in a month only take space.
        pruned = await summaries.prune_chunks(session, unused_since=now - CHUNK_CACHE_UNUSED)
    log.info("retention: removed %d expired messages and %d unused cached summaries", removed, pruned)
    return removed
