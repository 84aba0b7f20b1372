"""Labelled conversations for task extraction and the one scoring rule that the tests and the benchmark share."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from agents.records import MessageRecord
from agents.tasks.language import stem, words
from agents.tasks.records import ExtractedTask

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z][\w-]*)")


@dataclass(frozen=True, slots=True)
class LabelledTask:
    owner: str | None
    owner_id: int | None
    keywords: tuple[str, ...]
    due: tuple[str | None, ...]  # acceptable local dates (YYYY-MM-DD) or None
    due_text: str | None
    status: str
    rules_miss: str | None = None  # a documented limitation of the rules (still counted as a miss)
    rules_status_miss: str | None = None  # the rules get the final status wrong, for this reason
    # The messages a reader would cite for it (ids; the first is the origin), from the file's 1-based `src`.
    sources: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Conversation:
    name: str
    title: str
    split: str
    timezone: str
    messages: tuple[MessageRecord, ...]
    tasks: tuple[LabelledTask, ...]
    people: dict[str, int] = field(hash=False)
    bots: dict[str, int] = field(default_factory=dict, hash=False)
    batch: int | None = None  # for unseen conversations: which batch they were written in


def load_conversation(path: str | Path) -> Conversation:
    """Read one labelled conversation file (format: tests/data/tasks/README.md) into message records."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    tz = ZoneInfo(data["timezone"])
    day = date.fromisoformat(data["date"])
    people: dict[str, int] = dict(data["people"])
    bots: dict[str, int] = dict(data.get("bots", {}))
    everyone = {**people, **bots}
    base_id = int(data["channel_id"]) * 1000
    records: list[MessageRecord] = []
    for number, item in enumerate(data["messages"], start=1):
        stamp = item["t"]
        if " " in stamp:
            local = datetime.fromisoformat(stamp)
        else:
            local = datetime.combine(day, time.fromisoformat(stamp))
        created = local.replace(tzinfo=tz).astimezone(UTC)
        mention_ids: list[int] = []
        mention_names: dict[int, str] = {}

        def mention(match: re.Match, mention_ids: list[int] = mention_ids, mention_names: dict[int, str] = mention_names) -> str:
            name = match.group(1)
            if name.lower() not in {key.lower() for key in everyone}:
                return match.group(0)
            key = next(key for key in everyone if key.lower() == name.lower())
            user_id = everyone[key]
            if user_id not in mention_ids:
                mention_ids.append(user_id)
            mention_names[user_id] = key
            return f"<@{user_id}>"

        content = _MENTION.sub(mention, item["text"])
        author = item["a"]
        records.append(
            MessageRecord(
                id=base_id + number,
                channel_id=int(data["channel_id"]),
                author_id=everyone[author],
                author_name=author,
                content=content,
                created_at=created,
                reply_to_id=base_id + int(item["re"]) if item.get("re") else None,
                mention_ids=tuple(mention_ids),
                mention_names=mention_names,
                attachments=tuple(item.get("files", ())),
                is_bot=author in bots,
                guild_id=int(data["guild_id"]),
                channel_name=data.get("channel_name", ""),
            )
        )
    labels = []
    for label in data["tasks"]:
        due = label.get("due")
        dues = tuple(due) if isinstance(due, list) else (due,)
        owner = label.get("owner")
        labels.append(
            LabelledTask(
                owner=owner,
                owner_id=people[owner] if owner else None,
                keywords=tuple(k.lower() for k in label["keywords"]),
                due=dues,
                due_text=label.get("due_text"),
                status=label["status"],
                rules_miss=label.get("rules_miss"),
                rules_status_miss=label.get("rules_status_miss"),
                sources=tuple(base_id + int(number) for number in label.get("src", ())),
            )
        )
    return Conversation(
        path.stem,
        data.get("title", path.stem),
        data.get("split", "dev"),
        data["timezone"],
        tuple(records),
        tuple(labels),
        people,
        bots,
        data.get("batch"),
    )


def load_conversations(folder: str | Path, split: str | None = None) -> list[Conversation]:
    conversations = [load_conversation(path) for path in sorted(Path(folder).glob("*.json"))]
    return [c for c in conversations if split is None or c.split == split]


def keyword_hits(label: LabelledTask, task_text: str) -> int:
    stems = {stem(w) for w in words(task_text)}
    joined = "".join(words(task_text))
    return sum(1 for keyword in label.keywords if stem(keyword) in stems or keyword.replace(" ", "") in joined)


def _enough_keywords(label: LabelledTask, task: ExtractedTask) -> bool:
    return keyword_hits(label, task.task) >= math.ceil(len(label.keywords) / 2)


def _shared_sources(label: LabelledTask, task: ExtractedTask) -> int:
    return len(set(label.sources) & set(task.source_message_ids))


def matches(label: LabelledTask, task: ExtractedTask, *, by_sources: bool = True) -> bool:
    """JUDGING.md's rule: the owner is the same and either the source messages overlap or the tasks mean
    the same thing (here: at least half the label's keywords occur in the task's text).

    `by_sources=False` is the stricter keywords-only rule (the figures BENCHMARKS.md reported before the
    labels had sources)."""
    if label.owner_id != task.owner_id:
        return False
    return _enough_keywords(label, task) or (by_sources and _shared_sources(label, task) > 0)


def _strength(label: LabelledTask, task: ExtractedTask) -> tuple[bool, int, int]:
    """How well a matching pair agrees: both ways first, then by keywords, then by shared sources."""
    return (
        _enough_keywords(label, task) and _shared_sources(label, task) > 0,
        keyword_hits(label, task.task),
        _shared_sources(label, task),
    )


def pairs(conversation: Conversation, predicted: Sequence[ExtractedTask], *, by_sources: bool = True) -> dict[int, int]:
    """One-to-one matching, label index -> prediction index: the strongest matching pairs first (greedy), so
    the order of the labels does not decide which of two similar tasks a label takes."""
    candidates = [
        (_strength(label, task), -li, -pi)
        for li, label in enumerate(conversation.tasks)
        for pi, task in enumerate(predicted)
        if matches(label, task, by_sources=by_sources)
    ]
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for _, li, pi in sorted(candidates, reverse=True):
        if -li not in chosen and -pi not in taken:
            chosen[-li] = -pi
            taken.add(-pi)
    return chosen


# A deadline is right within a day of an acceptable one (JUDGING.md): "by Friday" read as Friday
# evening or the start of Saturday is the same promise.
DUE_TOLERANCE_DAYS = 1


def due_matches(label: LabelledTask, task: ExtractedTask, tz: str) -> bool:
    predicted = task.due.astimezone(ZoneInfo(tz)).date() if task.due else None
    if predicted is None:
        if None not in label.due:
            return False
        if label.due_text:
            return bool(task.due_text) and label.due_text.lower() in (task.due_text or "").lower()
        return True
    return any(wanted is not None and abs((date.fromisoformat(wanted) - predicted).days) <= DUE_TOLERANCE_DAYS for wanted in label.due)


@dataclass
class Score:
    """Counts over one or more conversations; precision/recall/F1 of task matching, then due and status accuracy on the matches."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    due_correct: int = 0
    status_correct: int = 0
    # Labels found with the wrong owner (the task's words match, the owner does not): owner accuracy's misses.
    owner_wrong: int = 0
    # Predicted tasks on conversations labelled with no task at all.
    empty_channel_tasks: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    wrong_due: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.false_negatives += other.false_negatives
        self.due_correct += other.due_correct
        self.status_correct += other.status_correct
        self.owner_wrong += other.owner_wrong
        self.empty_channel_tasks += other.empty_channel_tasks
        self.misses += other.misses
        self.extras += other.extras
        self.wrong_status += other.wrong_status
        self.wrong_due += other.wrong_due

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def due_accuracy(self) -> float:
        return self.due_correct / self.true_positives if self.true_positives else 1.0

    @property
    def owner_accuracy(self) -> float:
        """Of the labels whose task was found at all (by its words), the share found with the right owner."""
        found = self.true_positives + self.owner_wrong
        return self.true_positives / found if found else 1.0

    @property
    def status_accuracy(self) -> float:
        return self.status_correct / self.true_positives if self.true_positives else 1.0


def matched(conversation: Conversation, predicted: Sequence[ExtractedTask], *, by_sources: bool = True) -> list[bool]:
    """For each predicted task, whether the one-to-one matching of `score` pairs it with a label."""
    paired = set(pairs(conversation, predicted, by_sources=by_sources).values())
    return [index in paired for index in range(len(predicted))]


def score(conversation: Conversation, predicted: Sequence[ExtractedTask], *, by_sources: bool = True) -> Score:
    """Precision, recall, status and due over one conversation (JUDGING.md).

    A prediction paired with a cancelled label is wrong unless it is marked cancelled: it counts as a
    false positive and the label as missed (its status is not scored a second time)."""
    result = Score()
    chosen = pairs(conversation, predicted, by_sources=by_sources)
    used: set[int] = set()
    for li, label in enumerate(conversation.tasks):
        if li not in chosen:
            if any(_enough_keywords(label, task) for pi, task in enumerate(predicted) if pi not in chosen.values()):
                result.owner_wrong += 1
            result.false_negatives += 1
            result.misses.append(f"{conversation.name}: {label.owner} {'/'.join(label.keywords)} ({label.status})")
            continue
        best = predicted[chosen[li]]
        name = f"{conversation.name}: {label.owner} {best.task!r}"
        if label.status == "cancelled" and best.status != "cancelled":
            result.false_negatives += 1
            result.misses.append(f"{conversation.name}: {label.owner} {'/'.join(label.keywords)} (cancelled, found {best.status})")
            result.wrong_status.append(f"{name} is {best.status}, labelled cancelled")
            continue
        used.add(chosen[li])
        result.true_positives += 1
        due_ok = due_matches(label, best, conversation.timezone)
        result.due_correct += due_ok
        result.status_correct += label.status == best.status
        if label.status != best.status:
            result.wrong_status.append(f"{name} is {best.status}, labelled {label.status}")
        if not due_ok:
            shown = best.due.astimezone(ZoneInfo(conversation.timezone)).date() if best.due else best.due_text
            result.wrong_due.append(f"{name} due {shown}, labelled {'/'.join(str(d) for d in label.due)}")
    unused = [task for pi, task in enumerate(predicted) if pi not in used]
    result.false_positives += len(unused)
    if not conversation.tasks:
        result.empty_channel_tasks += len(unused)
    result.extras += [f"{conversation.name}: {task.owner_name} {task.task!r} ({task.status})" for task in unused]
    return result
