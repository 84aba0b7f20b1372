"""Seeded generation of the swarm's data: requests with their commands and options, and Axolotl rows per role.

`examples(split)` fills the templates of one split with channel, user, model and time names;
`cases(split)` adds multi-turn follow-ups. Same seed, same data: `smolcord swarm data` is reproducible.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from agents.swarm import templates as tpl
from agents.swarm.commands import COMMANDS, INTENTS

SEED = 11


@dataclass
class Example:
    text: str
    command: str
    args: dict[str, Any]
    clarify: bool = False
    template: str = ""


@dataclass
class Case:
    id: str
    channels: list[str]
    here: str
    turns: list[str]
    expected: list[dict[str, Any]] = field(default_factory=list)


def _channel_fill(rng: random.Random, names: list[str]) -> tuple[str, str | None]:
    name = rng.choice(names)
    roll = rng.random()
    if roll < 0.7:
        return f"#{name}", name
    if roll < 0.85:
        return f"the {name} channel", name
    if roll < 0.93:
        return rng.choice(["this channel", "here"]), None
    return f"in {name}", name


def _fill(template: str, fixed: dict, command: str, rng: random.Random, here: str, names: list[str]) -> Example:
    args: dict[str, Any] = dict(fixed)
    text: str = template

    def take(slot: str, value: str) -> None:
        nonlocal text
        text = text.replace("{" + slot + "}", value, 1)

    if "{ch}" in text:
        phrase, name = _channel_fill(rng, names)
        if command == "digest set" and name is None:
            name = here
        if phrase.startswith("in ") and re.search(r"\b(?:in|from|of|to|for|on)\s*\{ch\}", text):
            phrase = phrase[3:]
        take("ch", phrase)
        if name:
            args["channel"] = name
    if "{win}" in text:
        phrase, value = rng.choice(tpl.WINDOWS)
        take("win", phrase)
        args["window"] = value
    if "{n}" in text:
        count = rng.choice((20, 30, 50, 100, 150, 200, 300))
        take("n", str(count))
        args["window"] = f"last {count}"
    if "{user}" in text:
        if rng.random() < 0.3:
            phrase, value = ("my", "me") if "{user} tasks" in text or "{user}'s" in text else ("me", "me")
            text = text.replace("{user}'s", "{user}")
        else:
            value = rng.choice(tpl.USER_NAMES)
            phrase = value if rng.random() < 0.8 else f"@{value}"
            if "{user} tasks" in text:
                phrase = f"{phrase}'s"
        take("user", phrase)
        args["user"] = value
    if "{time}" in text:
        phrase, value = rng.choice(tpl.TIMES)
        take("time", phrase)
        args["time"] = value
    if "{tz}" in text:
        phrase, value = rng.choice(tpl.ZONES)
        take("tz", phrase)
        args["name" if command == "settings timezone" else "timezone"] = value
    if "{src}" in text:
        phrase, sources = rng.choice(tpl.DIGEST_SOURCES)
        take("src", phrase)
        args["sources"] = list(sources)
    if "{task}" in text:
        phrase, value = rng.choice(tpl.MODEL_TASK_WORDS)
        take("task", phrase)
        args["task"] = value
    if "{key}" in text:
        keys = tpl.MODEL_KEYS_SPOKEN
        if command == "summarize":
            keys = tuple(k for k in keys if k[1] in ("distilbart", "bart-large-cnn", "pegasus-xsum", "extractive"))
        elif "task" in args:
            from sml_config import current_registry

            of_task = {s.key for s in current_registry().list(args["task"])}
            keys = tuple(k for k in keys if k[1] in of_task) or keys
        phrase, value = rng.choice(keys)
        take("key", phrase)
        if command == "summarize":
            args["model"] = value
        else:
            args["key"] = value
            if "task" not in args:
                from sml_config import current_registry

                args["task"] = next(s.task for s in current_registry().list() if s.key == value)
    if "{days}" in text:
        phrase, days = rng.choice(tpl.DAYS)
        take("days", phrase)
        args["days"] = days
    if "{prompt}" in text:
        value = rng.choice(tpl.PROMPTS)
        take("prompt", value)
        args["prompt"] = value.strip()
    spec = COMMANDS[command]
    args = {k: v for k, v in args.items() if k in spec.options}
    missing = [o for o in spec.required if o not in args]
    return Example(text=text, command=command, args=args, clarify=bool(missing), template=template)


_PREFIXES = ("hey bot, ", "@smolcord ", "pls ", "can you ", "could you ", "yo ", "hi! ", "quick one: ", "ok so ", "hey, ")
_SUFFIXES = ("?", " please", " 🙏", " thx", " thanks!", "!!", " :)", " asap", " when you get a chance", " 👀")


def _typo(text: str, rng: random.Random, template: str) -> str:
    # Only words of the template itself: a typo inside a filled option would change the expected options.
    own = set(template.split())
    words = text.split()
    long_words = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha() and w in own]
    if not long_words:
        return text
    i = rng.choice(long_words)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    return " ".join(words)


def augment(example: Example, rng: random.Random) -> Example:
    """A paraphrase-like variant: a greeting or politeness around it, or one typo (options unchanged)."""
    text = example.text
    roll = rng.random()
    if example.template.endswith("{prompt}"):
        roll = 0.0  # a suffix would become part of the prompt
    if roll < 0.4:
        text = rng.choice(_PREFIXES) + text
    elif roll < 0.75:
        text = text.rstrip("?") + rng.choice(_SUFFIXES)
    else:
        text = _typo(text, rng, example.template)
    return Example(text, example.command, dict(example.args), example.clarify, example.template)


def examples(split: str, *, per_template: int = 6, seed: int = SEED) -> list[Example]:
    """Requests of the `train` or `eval` templates, each template filled `per_template` times."""
    rng = random.Random(f"{seed}-{split}")
    out: list[Example] = []
    for command in INTENTS:
        train, held_out = tpl.split(tpl.TEMPLATES[command])
        chosen = train if split == "train" else held_out
        repeat = per_template if any("{" in t for t, _ in chosen) else 1
        for template, fixed in chosen:
            count = repeat if "{" in template else 1
            seen = set()
            for _ in range(count):
                example = _fill(template, fixed, command, rng, here="general", names=list(tpl.CHANNEL_NAMES))
                if example.text not in seen:
                    seen.add(example.text)
                    out.append(example)
                variants = 3 if "{" not in template else 1
                for _ in range(variants if rng.random() < (1.0 if "{" not in template else 0.35) else 0):
                    variant = augment(example, rng)
                    if variant.text not in seen:
                        seen.add(variant.text)
                        out.append(variant)
    return out


def cases(split: str, *, seed: int = SEED, follow_ups: int = 40) -> list[Case]:
    """Single-turn cases from `examples(split)` plus two-turn follow-up cases (summaries and tasks)."""
    rng = random.Random(f"{seed}-{split}-cases")
    channels = list(tpl.CHANNEL_NAMES)
    result: list[Case] = []
    for i, ex in enumerate(examples(split, seed=seed)):
        result.append(Case(f"{split}-{i}", channels, "general", [ex.text], [_expect(ex)]))
    train_f, eval_f = tpl.split(tpl.FOLLOW_UPS, 3)
    train_t, eval_t = tpl.split(tpl.TASK_FOLLOW_UPS, 3)
    plain = train_f if split == "train" else eval_f
    tasks = train_t if split == "train" else eval_t
    firsts = [e for e in examples(split, seed=seed) if e.command in ("summarize", "tasks scan") and not e.clarify]
    task_firsts = [e for e in examples(split, seed=seed) if e.command == "tasks list"]
    for j in range(follow_ups):
        if j % 2 == 0 and firsts:
            first, (template, changes) = rng.choice(firsts), rng.choice(plain)
        else:
            first, (template, changes) = rng.choice(task_firsts), rng.choice(tasks)
        second = _fill(template, {}, first.command, rng, "general", channels)
        args = dict(first.args)
        for option in changes:
            if option in second.args:
                args[option] = second.args[option]
            elif option in ("status",):
                args[option] = re.sub(r"[{}]", "", changes[option]) if not changes[option].startswith("{") else args.get(option)
        for option, value in changes.items():
            if not value.startswith("{"):
                args[option] = value
        if "{ch}" in template and "channel" not in second.args:
            args.pop("channel", None)  # "and for here?": back to this channel
        expected = {"command": first.command, "args": {k: v for k, v in args.items() if v is not None}, "clarify": False}
        result.append(Case(f"{split}-followup-{j}", channels, "general", [first.text, second.text], [_expect(first), expected]))
    return result


def _expect(ex: Example) -> dict[str, Any]:
    return {"command": ex.command, "args": ex.args, "clarify": ex.clarify}


# --- Axolotl rows (`type: chat_template`, `{"messages": [...]}`) ---------------------------------------

INTENT_SYSTEM = "Classify the Discord request into exactly one of: " + ", ".join(INTENTS) + ". Answer with the name only."
MAPPER_SYSTEM = "Fill the slash command's options from the request. Answer with a JSON object of options only (no defaults)."
CONTEXT_SYSTEM = "Resolve the follow-up against the previous request. Answer with the JSON of the full request."
ERROR_SYSTEM = "Classify what went wrong into the next step: clarify, explain, retry_later or chat. Answer with the step only."
ROUTE_SYSTEM = (
    "You route Discord requests to the bot's commands. Commands: "
    + "; ".join(f"{c.name} ({', '.join(c.options) or 'no options'})" for c in COMMANDS.values())
    + '. Answer with one JSON object: {"command": ..., "args": {...}}. Use "chat" for anything that is not a request for a command.'
)


def _row(system: str, user: str, assistant: str) -> dict:
    return {
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    }


def route_json(command: str, args: dict) -> str:
    return json.dumps({"command": command, "args": args}, ensure_ascii=False)


ERROR_CASES = (
    ("missing", "clarify"),
    ("ambiguous", "clarify"),
    ("refused", "clarify"),
    ("unknown_key", "clarify"),
    ("not_allowed", "explain"),
    ("not_readable", "explain"),
    ("model_not_downloaded", "explain"),
    ("busy", "retry_later"),
    ("timeout", "retry_later"),
    ("not_understood", "chat"),
)


def role_rows(role: str, split: str, seed: int = SEED) -> list[dict]:
    exs = examples(split, seed=seed)
    if role == "intent_parser":
        return [_row(INTENT_SYSTEM, e.text, e.command) for e in exs]
    if role == "api_mappers":
        return [
            _row(MAPPER_SYSTEM, f"command: {e.command}\nrequest: {e.text}", json.dumps(e.args, ensure_ascii=False))
            for e in exs
            if e.command not in ("chat", "help")
        ]
    if role == "context_manager":
        rows = []
        for case in cases(split, seed=seed, follow_ups=240 if split == "train" else 80):
            if len(case.turns) == 2:
                previous = route_json(case.expected[0]["command"], case.expected[0]["args"])
                rows.append(
                    _row(
                        CONTEXT_SYSTEM,
                        f"previous: {previous}\nfollow-up: {case.turns[1]}",
                        route_json(case.expected[1]["command"], case.expected[1]["args"]),
                    )
                )
        return rows
    if role == "error_recognizer":
        rng = random.Random(f"{seed}-{split}-errors")
        rows = []
        for command in INTENTS:
            for kind, step in ERROR_CASES:
                if rng.random() < (0.75 if split == "train" else 0.25):
                    option = rng.choice(COMMANDS[command].options or ("",))
                    rows.append(_row(ERROR_SYSTEM, f"command: {command}\nproblem: {kind}\noption: {option}", step))
        return rows
    if role in ("orchestrator", "monolithic_baseline", "hybrid_approach"):
        # Every third request: the long system prompt repeats in each row, and a generative fine-tune needs fewer rows.
        return [_row(ROUTE_SYSTEM, e.text, route_json(e.command, e.args)) for e in exs[::3]]
    raise KeyError(role)
