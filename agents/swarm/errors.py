"""The error recognizer: what went wrong with a request, and the next step (clarify, explain, retry later, chat).

Problems come from the mappers (a missing or refused option, an unknown model key) and from running the
command (not allowed, a channel the member cannot read, busy, timeout, model not downloaded). Each maps
to exactly one next step and one line for the member; a clarifying question asks for one thing only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from agents.swarm.commands import COMMANDS, MODEL_TASKS

STEPS = {
    "missing": "clarify",
    "ambiguous": "clarify",
    "refused": "clarify",
    "unknown_key": "clarify",
    "not_allowed": "explain",
    "not_readable": "explain",
    "model_not_downloaded": "explain",
    "busy": "retry_later",
    "timeout": "retry_later",
    "not_understood": "chat",
}

QUESTIONS = {
    ("digest set", "channel"): "Which channel should I post the daily digest in?",
    ("digest set", "time"): "At what time should the digest be posted (24-hour HH:MM, e.g. 09:00)?",
    ("model switch", "task"): "For which task: " + ", ".join(MODEL_TASKS) + "?",
    ("settings timezone", "name"): "Which timezone? An IANA name like Europe/Berlin or America/New_York.",
}
WINDOW_QUESTION = 'Which messages: "last 50", "since 2h" or "since my last message"?'


@dataclass(frozen=True)
class Diagnosis:
    step: str  # clarify | explain | retry_later | chat | execute
    message: str | None
    option: str | None = None


def recognize(
    command: str, problems: Sequence[tuple[str, str, str]], missing: Iterable[str], *, keys_for_task: Sequence[str] = ()
) -> Diagnosis:
    """The next step for a mapped request: the first problem decides; none means execute."""
    missing = list(missing)
    ordered = list(problems) + [("missing", option, "") for option in missing]
    if not ordered:
        return Diagnosis("execute", None)
    kind, option, detail = ordered[0]
    step = STEPS.get(kind, "chat")
    if step == "clarify":
        return Diagnosis("clarify", question(command, kind, option, detail, keys_for_task), option)
    return Diagnosis(step, detail or None, option)


def question(command: str, kind: str, option: str, detail: str, keys: Sequence[str] = ()) -> str:
    if option == "key":
        listed = ", ".join(f"`{k}`" for k in keys) if keys else "see `/model list`"
        if kind == "unknown_key":
            return f"I don't know the model `{detail[:40]}`. Which one? Valid keys: {listed}."
        if kind == "refused":
            return f"`{detail[:40]}` is not a model for that task. Which one? Valid keys: {listed}."
        return f"Which model? Valid keys: {listed}."
    if option == "window":
        return f"I can't read {detail[:40]!r} as a window. {WINDOW_QUESTION}"
    if kind == "refused" and option in ("timezone", "name"):
        return f"{detail[:40]!r} is not a timezone I know. Which one? An IANA name like Europe/Berlin."
    if kind == "refused":
        return f"{detail} What should {option} be?"
    return QUESTIONS.get((command, option), f"What should {option} be for {command}?")


def explain(kind: str, detail: str = "") -> Diagnosis:
    """The next step for a failure while running a command (the bot layer reports these)."""
    step = STEPS.get(kind, "explain")
    messages = {
        "not_allowed": "That needs the Manage Server permission.",
        "not_readable": "I can't show you that channel.",
        "busy": "I'm busy right now; please try again in a minute.",
        "timeout": "That took too long; please try again later.",
        "model_not_downloaded": "That model is not downloaded yet (an admin can run `smolcord models pull KEY`).",
    }
    return Diagnosis(step, detail or messages.get(kind, "Something went wrong."))


def all_required() -> dict[str, tuple[str, ...]]:
    return {name: spec.required for name, spec in COMMANDS.items() if spec.required}
