"""Agent 3: action items in a conversation (who, what, by when, where it stands) and a written overview of the open ones."""

from agents.tasks.dates import Due, find_due, resolve_due
from agents.tasks.extract import extract_tasks
from agents.tasks.overview import find_tasks, summarize_tasks, templated_overview
from agents.tasks.records import STATUSES, ExtractedTask, TaskChange, normalize_task_text, task_fingerprint

__all__ = [
    "STATUSES",
    "Due",
    "ExtractedTask",
    "TaskChange",
    "extract_tasks",
    "find_due",
    "find_tasks",
    "normalize_task_text",
    "resolve_due",
    "summarize_tasks",
    "task_fingerprint",
    "templated_overview",
]
