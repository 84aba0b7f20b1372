"""Queries over stored tasks: saving extracted tasks without duplicates, their status history, listing and closing them.

Every function takes an `AsyncSession`; the caller owns the transaction (`async with sessions.begin() as s:`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from agents.tasks.records import STATUSES, ExtractedTask
from bot.storage.messages import upsert_guild_if_missing
from bot.storage.tables import Task, TaskEvent


class TaskNotFoundError(LookupError):
    """No task with that id (in that guild)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "no such task"


def _utc(value: datetime | None) -> datetime | None:
    # Stored as UTC; SQLite hands datetimes back without a zone.
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware_row(task: Task) -> Task:
    for name in ("due_at", "created_at", "updated_at"):
        value = getattr(task, name)
        if value is not None and value.tzinfo is None:
            # Not a change to the row: only how this object shows the stored value.
            set_committed_value(task, name, value.replace(tzinfo=UTC))
    return task


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ValueError(f"unknown task status {status!r} (use one of: {', '.join(STATUSES)})")


async def _events_by_task(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, set[int]]:
    """The message ids already recorded for each task, so a re-scan records nothing twice."""
    seen: dict[int, set[int]] = {task_id: set() for task_id in task_ids}
    if not task_ids:
        return seen
    rows = await session.execute(select(TaskEvent.task_id, TaskEvent.message_id).where(TaskEvent.task_id.in_(list(task_ids))))
    for task_id, message_id in rows:
        if message_id is not None:
            seen[task_id].add(message_id)
    return seen


async def save_tasks(
    session: AsyncSession, guild_id: int, channel_id: int, extracted: Sequence[ExtractedTask]
) -> tuple[list[Task], list[Task]]:
    """Store `extracted` for one channel: (tasks created, tasks updated).

    A task already stored (same fingerprint in this guild) is updated only by changes the scan saw
    in messages not recorded before: done/cancelled from later messages, a new owner. A status set
    by hand (`set_status`) is never undone by a re-scan, so scanning the same window twice changes
    nothing.
    """
    if not extracted:
        return [], []
    await upsert_guild_if_missing(session, guild_id)
    unique: dict[str, ExtractedTask] = {}
    for task in extracted:
        unique.setdefault(task.fingerprint, task)
    existing = {
        row.fingerprint: row
        for row in (await session.execute(select(Task).where(Task.guild_id == guild_id, Task.fingerprint.in_(list(unique))))).scalars()
    }
    recorded = await _events_by_task(session, [row.id for row in existing.values()])
    created: list[Task] = []
    updated: list[Task] = []
    for fingerprint, task in unique.items():
        row = existing.get(fingerprint)
        if row is None:
            created.append(await _create(session, guild_id, channel_id, task))
        elif await _update(session, row, task, recorded.get(row.id, set())):
            updated.append(row)
    await session.flush()
    return created, updated


async def _create(session: AsyncSession, guild_id: int, channel_id: int, task: ExtractedTask) -> Task:
    _check_status(task.status)
    now = _now()
    row = Task(
        guild_id=guild_id,
        channel_id=channel_id,
        owner_id=task.owner_id,
        owner_name=(task.owner_name or None) and task.owner_name[:100],
        text=task.task,
        due_at=_utc(task.due),
        due_text=(task.due_text or None) and task.due_text[:100],
        status=task.status,
        source_message_id=task.source_message_ids[0],
        source_message_ids=list(task.source_message_ids),
        fingerprint=task.fingerprint,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    first = task.source_message_ids[0]
    actor = task.requester_id if task.requester_id is not None else task.owner_id
    session.add(
        TaskEvent(task_id=row.id, old_status=None, new_status="open", actor_id=actor, message_id=first, at=_utc(task.said_at) or now)
    )
    status = "open"
    for change in task.changes:
        if change.message_id == first:
            continue
        session.add(
            TaskEvent(
                task_id=row.id,
                old_status=status,
                new_status=change.status,
                actor_id=change.actor_id,
                message_id=change.message_id,
                at=_utc(change.at),
            )
        )
        status = change.status
    return _aware_row(row)


async def _update(session: AsyncSession, row: Task, task: ExtractedTask, recorded: set[int]) -> bool:
    changed = False
    for change in task.changes:
        if change.message_id in recorded:
            continue
        recorded.add(change.message_id)
        old_status = row.status
        if change.kind in ("done", "cancelled"):
            if row.status != "open":
                # Closed already (by hand or by an earlier scan): nothing new happened to the task.
                continue
            row.status = change.status
        elif change.kind in ("reassigned", "claimed"):
            if change.owner_id is None or change.owner_id == row.owner_id:
                continue
            row.owner_id = change.owner_id
            if change.owner_id == task.owner_id and task.owner_name:
                row.owner_name = task.owner_name[:100]
        else:
            continue
        session.add(
            TaskEvent(
                task_id=row.id,
                old_status=old_status,
                new_status=row.status,
                actor_id=change.actor_id,
                message_id=change.message_id,
                at=_utc(change.at),
            )
        )
        changed = True
    if row.due_at is None and task.due is not None:
        row.due_at = _utc(task.due)
        row.due_text = (task.due_text or None) and task.due_text[:100]
        changed = True
    sources = list(row.source_message_ids or [])
    new_sources = [message_id for message_id in task.source_message_ids if message_id not in sources]
    if new_sources:
        row.source_message_ids = sources + new_sources
        changed = True
    if changed:
        row.updated_at = _now()
    return changed


async def list_tasks(
    session: AsyncSession,
    guild_id: int,
    *,
    channel_id: int | None = None,
    owner_id: int | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[Task]:
    """Stored tasks of a guild, soonest deadline first (no deadline last), then oldest first."""
    query = select(Task).where(Task.guild_id == guild_id)
    if channel_id is not None:
        query = query.where(Task.channel_id == channel_id)
    if owner_id is not None:
        query = query.where(Task.owner_id == owner_id)
    if status is not None:
        _check_status(status)
        query = query.where(Task.status == status)
    query = query.order_by(Task.due_at.is_(None), Task.due_at, Task.id)
    if limit is not None:
        query = query.limit(limit)
    return [_aware_row(row) for row in (await session.execute(query)).scalars()]


async def get_task(session: AsyncSession, task_id: int, *, guild_id: int | None = None) -> Task:
    row = await session.get(Task, task_id)
    if row is None or (guild_id is not None and row.guild_id != guild_id):
        raise TaskNotFoundError(f"no task #{task_id}")
    return _aware_row(row)


async def set_status(
    session: AsyncSession, task_id: int, status: str, actor_id: int | None, *, guild_id: int | None = None, message_id: int | None = None
) -> Task:
    """Set a task's status by hand (e.g. /tasks done); records who did it. Pass `guild_id` to refuse other guilds' tasks."""
    _check_status(status)
    row = await get_task(session, task_id, guild_id=guild_id)
    if row.status == status:
        return row
    session.add(TaskEvent(task_id=row.id, old_status=row.status, new_status=status, actor_id=actor_id, message_id=message_id, at=_now()))
    row.status = status
    row.updated_at = _now()
    await session.flush()
    return _aware_row(row)


async def task_events(session: AsyncSession, task_id: int) -> list[TaskEvent]:
    """A task's history, oldest first."""
    rows = (await session.execute(select(TaskEvent).where(TaskEvent.task_id == task_id).order_by(TaskEvent.at, TaskEvent.id))).scalars()
    events = list(rows)
    for event in events:
        if event.at is not None and event.at.tzinfo is None:
            set_committed_value(event, "at", event.at.replace(tzinfo=UTC))
    return events
