"""Task extraction quality and speed on the labelled conversations, for each configuration.

    python benchmarks/bench_tasks.py                    # rules only (no model)
    python benchmarks/bench_tasks.py --models           # also the model passes (SmolLM2, MiniLM; offline)

Precision/recall/F1 use the one matching rule of `agents.tasks.evaluation` (owner equal and at least
half of the label's keywords in the task text), reported separately for the conversations the rules
were tuned on (`dev`, and `heldout`, whose failures were fixed) and the `unseen` ones (committed before
the last round of rule changes, never tuned on). Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from agents.tasks import extract_tasks  # noqa: E402
from agents.tasks.evaluation import Conversation, Score, load_conversations, score  # noqa: E402
from agents.tasks.review import review_tasks  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "tasks"


# Report groups: what the rules were tuned on, and what they never saw while being written (two
# batches: batch 1 was measured once mid-way, batch 2 was written after that; tests/data/tasks/README.md).
GROUPS = {
    "tuned": lambda c: c.split in ("dev", "heldout"),
    "unseen1": lambda c: c.split == "unseen" and not c.name.startswith("unseen_b2_"),
    "unseen2": lambda c: c.split == "unseen" and c.name.startswith("unseen_b2_"),
}
GROUP_NAMES = {"tuned": "tuned on", "unseen1": "unseen, batch 1", "unseen2": "**unseen, batch 2**"}


def rules(conversation: Conversation, *, tentative: bool = False):
    return extract_tasks(
        conversation.messages,
        timezone=conversation.timezone,
        include_tentative=tentative,
        bot_ids=tuple(conversation.bots.values()),
    )


def evaluate(conversations: list[Conversation], predictions: dict[str, list]) -> dict[str, Score]:
    result: dict[str, Score] = {}
    for group, belongs in GROUPS.items():
        total = Score()
        for conversation in conversations:
            if belongs(conversation):
                total.add(score(conversation, predictions[conversation.name]))
        result[group] = total
    return result


def rules_speed(conversations: list[Conversation], seconds: float = 3.0) -> float:
    messages = sum(len(c.messages) for c in conversations)
    rounds, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for conversation in conversations:
            rules(conversation)
        rounds += 1
    return messages * rounds / (time.perf_counter() - started)


async def model_configs(conversations: list[Conversation], cache_dir: Path, keys: list[str]) -> list[tuple[str, dict, float]]:
    from agents.runtime import ModelManager
    from sml_config import load_registry

    manager = ModelManager(cache_dir=cache_dir, offline=True, device="cpu", registry=load_registry(env={}))
    rows = []
    try:
        for key in keys:
            await manager.warm(*(("embedding", key) if key == "minilm" else ("text_generation", key)))
            for label, tentative, only_tentative in (
                (f"rules + {key} (judges every candidate)", False, False),
                (f"rules + suggestions/hedges, {key} judges those only", True, True),
            ):
                predictions, messages, started = {}, 0, time.perf_counter()
                for conversation in conversations:
                    candidates = rules(conversation, tentative=tentative)
                    predictions[conversation.name] = await review_tasks(
                        candidates, conversation.messages, manager=manager, model_key=key, only_tentative=only_tentative
                    )
                    messages += len(conversation.messages)
                speed = messages / (time.perf_counter() - started)
                rows.append((label, evaluate(conversations, predictions), speed))
    finally:
        await manager.close()
    return rows


def chitchat_records(limit: int):
    """Real casual conversations (the `chitchat-dataset` package) as message records, one channel each; None when not installed."""
    import importlib.util
    import json
    import random
    from datetime import datetime

    from agents.records import MessageRecord

    spec = importlib.util.find_spec("chitchat_dataset")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = json.loads((Path(spec.submodule_search_locations[0]) / "dataset.json").read_text(encoding="utf-8"))
    chosen = random.Random(7).sample(sorted(data), min(limit, len(data)))
    conversations = []
    for number, key in enumerate(chosen):
        records, senders = [], {}
        for turn in data[key]["messages"]:
            for utterance in turn:
                sender = senders.setdefault(utterance["sender"], len(senders) + 1)
                records.append(
                    MessageRecord(
                        id=len(records) + 1,
                        channel_id=number,
                        author_id=sender,
                        author_name=f"speaker{sender}",
                        content=utterance["text"],
                        created_at=datetime.fromisoformat(utterance["timestamp"].replace("Z", "+00:00")),
                    )
                )
        conversations.append(records)
    return conversations


def chitchat_report(limit: int, verbose: bool) -> str:
    conversations = chitchat_records(limit)
    if conversations is None:
        return "(chitchat-dataset not installed: pip install --no-deps chitchat-dataset==0.9.0)"
    started = time.perf_counter()
    found = [(records, extract_tasks(records)) for records in conversations]
    seconds = time.perf_counter() - started
    messages = sum(len(records) for records in conversations)
    tasks = [task for _, tasks in found for task in tasks]
    lines = [
        f"chitchat: {len(conversations)} conversations, {messages} messages, {len(tasks)} tasks "
        f"({1000 * len(tasks) / messages:.1f} per 1,000 messages), {messages / seconds:,.0f} messages/s"
    ]
    if verbose:
        for records, tasks in found:
            by_id = {m.id: m for m in records}
            for task in tasks:
                lines.append(f"  [{task.owner_name}] {task.task!r}  <- {by_id[task.source_message_ids[0]].content!r}")
    return "\n".join(lines)


def table(rows: list[tuple[str, dict, float]]) -> str:
    lines = [
        "| configuration | conversations | P | R | F1 | owner ok | status ok | due ok (±1 day) | tasks on no-task channels | messages/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, scores, speed in rows:
        for group, name in GROUP_NAMES.items():
            s = scores[group]
            lines.append(
                f"| {label} | {name} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.owner_accuracy:.2f} | "
                f"{s.status_accuracy:.2f} | {s.due_accuracy:.2f} | {s.empty_channel_tasks} | {speed:,.0f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", action="store_true", help="also run the model passes (SmolLM2-135M, MiniLM)")
    parser.add_argument("--keys", default="smollm2-135m,minilm", help="model keys for --models (text_generation or embedding)")
    parser.add_argument("--cache-dir", type=Path, help="model cache (default: a temporary folder; SmolLM2 converts once)")
    parser.add_argument("--verbose", action="store_true", help="list the misses and extra tasks of each configuration (tuned-on conversations)")
    parser.add_argument("--show-unseen", action="store_true", help="with --verbose, also list them for the unseen ones (only when reporting: never tune on them)")
    parser.add_argument("--chitchat", type=int, metavar="N", help="also run the rules over N real casual conversations (chitchat-dataset)")
    args = parser.parse_args()

    conversations = load_conversations(DATA)
    counts = {g: sum(belongs(c) for c in conversations) for g, belongs in GROUPS.items()}
    labels = {g: sum(len(c.tasks) for c in conversations if belongs(c)) for g, belongs in GROUPS.items()}
    print(
        f"{len(conversations)} conversations, {sum(len(c.messages) for c in conversations)} messages: "
        + ", ".join(f"{GROUP_NAMES[g].strip('*')} {counts[g]} ({labels[g]} labelled tasks)" for g in GROUPS)
        + "\n"
    )
    rows = [("rules only (default, no model)", evaluate(conversations, {c.name: rules(c) for c in conversations}), rules_speed(conversations))]
    if args.models:
        with tempfile.TemporaryDirectory() as temporary:
            cache = args.cache_dir or Path(temporary)
            rows += asyncio.run(model_configs(conversations, cache, [k.strip() for k in args.keys.split(",") if k.strip()]))
    print(table(rows))
    if args.chitchat:
        print()
        print(chitchat_report(args.chitchat, args.verbose))
    if args.verbose:
        for label, scores, _ in rows:
            print(f"\n{label}:")
            for split, total in scores.items():
                if split != "tuned" and not args.show_unseen:
                    continue
                for line in total.misses:
                    print(f"  miss ({split}) {line}")
                for line in total.extras:
                    print(f"  extra ({split}) {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
