"""Agent 3's entry points: find the tasks in a window (rules, optionally a model pass) and write an overview of the open ones."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agents.records import MessageRecord
from agents.tasks.dates import zone
from agents.tasks.extract import extract_tasks
from agents.tasks.records import ExtractedTask

EXTRACTIVE = "extractive"
UNASSIGNED = "Unassigned"


async def find_tasks(
    messages: Sequence[MessageRecord],
    *,
    timezone: str | ZoneInfo = "UTC",
    manager: Any = None,
    review_model: str | None = None,
) -> list[ExtractedTask]:
    """The tasks of a window. With `review_model` (a text_generation or embedding key) and a manager,
    the rules also offer suggestions and hedged offers, and the model decides which of those are tasks;
    the rules' firm tasks stay (measured: letting SmolLM2 or MiniLM veto them loses recall, BENCHMARKS.md).
    """
    if not review_model or manager is None:
        return extract_tasks(messages, timezone=timezone)
    from agents.tasks.review import review_tasks

    candidates = extract_tasks(messages, timezone=timezone, include_tentative=True)
    if not any(task.tentative for task in candidates):
        return candidates
    return await review_tasks(candidates, messages, manager=manager, model_key=review_model, only_tentative=True)


def format_due(task: ExtractedTask, tz: ZoneInfo, now: datetime | None = None) -> str:
    """ "Fri 14 Mar 17:00", or the phrase as written when it is not a date ("next sprint"), or ""."""
    if task.due is not None:
        local = task.due.astimezone(tz)
        return local.strftime("%a %d %b %H:%M")
    return task.due_text or ""


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def group_by_owner(tasks: Sequence[ExtractedTask]) -> OrderedDict[str, list[ExtractedTask]]:
    """Open tasks per owner name, owners in order of first appearance, unassigned last."""
    groups: OrderedDict[str, list[ExtractedTask]] = OrderedDict()
    for task in sorted(tasks, key=lambda t: (t.owner_id is None, t.said_at or datetime.min)):
        groups.setdefault(task.owner_name or UNASSIGNED, []).append(task)
    return groups


def templated_overview(tasks: Sequence[ExtractedTask], *, timezone: str | ZoneInfo = "UTC") -> str:
    """A deterministic overview: one line per person with their open tasks and deadlines."""
    tz = zone(timezone)
    open_tasks = [t for t in tasks if t.status == "open"]
    lines = [_headline(tasks)]
    for owner, owned in group_by_owner(open_tasks).items():
        items = []
        for task in owned:
            due = format_due(task, tz)
            items.append(f"{_lower_first(task.task)}" + (f" (due {due})" if due and task.due else f" ({due})" if due else ""))
        lines.append(f"\u2022 {owner}: " + "; ".join(items))
    closed = _closed_line(tasks)
    if closed:
        lines.append(closed)
    return "\n".join(lines)


def _headline(tasks: Sequence[ExtractedTask]) -> str:
    open_tasks = [t for t in tasks if t.status == "open"]
    if not open_tasks:
        return "No open tasks."
    people = {t.owner_id for t in open_tasks if t.owner_id is not None}
    unassigned = sum(t.owner_id is None for t in open_tasks)
    noun = "task" if len(open_tasks) == 1 else "tasks"
    headline = f"{len(open_tasks)} open {noun} for {len(people)} {'person' if len(people) == 1 else 'people'}"
    if unassigned:
        headline += f" ({unassigned} unassigned)"
    return headline + "."


def _closed_line(tasks: Sequence[ExtractedTask]) -> str:
    done = sum(t.status == "done" for t in tasks)
    cancelled = sum(t.status == "cancelled" for t in tasks)
    if not done and not cancelled:
        return ""
    return f"Closed in this window: {done} done, {cancelled} cancelled."


def task_records(tasks: Sequence[ExtractedTask], *, timezone: str | ZoneInfo = "UTC") -> list[MessageRecord]:
    """The open tasks as plain sentences ("Maya will write the migration by Wed 13 Mar.") for a summarization model."""
    tz = zone(timezone)
    records = []
    for number, task in enumerate(sorted((t for t in tasks if t.status == "open"), key=lambda t: t.said_at or datetime.min), start=1):
        owner = task.owner_name or "Someone"
        due = format_due(task, tz)
        sentence = f"{owner} will {_lower_first(task.task)}" + (f" by {due}" if due else "") + "."
        records.append(
            MessageRecord(
                id=number,
                channel_id=task.channel_id or 0,
                author_id=task.owner_id or 0,
                author_name=owner,
                content=sentence,
                created_at=task.said_at or datetime.now().astimezone(),
            )
        )
    return records


async def summarize_tasks(
    messages: Sequence[MessageRecord],
    model_key: str | None = EXTRACTIVE,
    *,
    manager: Any = None,
    timezone: str | ZoneInfo = "UTC",
    tasks: Sequence[ExtractedTask] | None = None,
    review_model: str | None = None,
    profile: str = "fast",
) -> str:
    """A short written overview of the open tasks per person in `messages`.

    `model_key` is a summarization key (or a text_generation key the summarizer can prompt); with
    `extractive`, None or no manager the overview is the deterministic template. The first line
    (counts) and the last (closed tasks) are always written by code, so a model can word the middle
    but never miscount. Pass `tasks` when they were already extracted. Model errors propagate
    (the manager's ModelError subclasses).
    """
    found = list(tasks) if tasks is not None else await find_tasks(messages, timezone=timezone, manager=manager, review_model=review_model)
    open_tasks = [t for t in found if t.status == "open"]
    if not open_tasks or manager is None or model_key in (None, EXTRACTIVE):
        return templated_overview(found, timezone=timezone)
    from agents.summarize import summarize_messages

    summary = await summarize_messages(task_records(found, timezone=timezone), manager=manager, model_key=model_key, profile=profile)
    prose = " ".join(bullet.text.strip() for bullet in summary.bullets if bullet.text.strip())
    if not prose:
        return templated_overview(found, timezone=timezone)
    lines = [_headline(found), prose]
    closed = _closed_line(found)
    if closed:
        lines.append(closed)
    return "\n".join(lines)
