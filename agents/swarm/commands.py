"""What the swarm can route to: every command, its API (mapper) and its options, named as the slash commands name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    name: str
    api: str  # which API mapper fills its options
    options: tuple[str, ...]
    required: tuple[str, ...] = ()
    admin: bool = False  # Manage Server: asks for confirmation in the bot
    erases: bool = False  # erases the member's data: asks for confirmation in the bot
    summary: str = ""


COMMANDS: dict[str, CommandSpec] = {
    spec.name: spec
    for spec in (
        CommandSpec("summarize", "summaries", ("channel", "window", "model", "private"), summary="summarize a channel"),
        CommandSpec("tasks list", "tasks", ("channel", "user", "status", "private"), summary="list tasks"),
        CommandSpec("tasks scan", "tasks", ("channel", "window"), summary="find action items now"),
        CommandSpec(
            "digest set",
            "digest",
            ("channel", "time", "timezone", "sources"),
            ("channel", "time"),
            admin=True,
            summary="schedule the daily digest",
        ),
        CommandSpec("digest off", "digest", (), admin=True, summary="stop the daily digest"),
        CommandSpec("digest preview", "digest", (), summary="preview the digest"),
        CommandSpec("model switch", "models", ("task", "key"), ("task", "key"), admin=True, summary="switch a model"),
        CommandSpec("model list", "models", (), summary="list the models"),
        CommandSpec("model status", "models", (), summary="loaded models and the queue"),
        CommandSpec("settings timezone", "settings", ("name",), ("name",), admin=True, summary="set the server's timezone"),
        CommandSpec("settings retention", "settings", ("days",), admin=True, summary="how long messages are kept"),
        CommandSpec("settings chat-prompt", "settings", ("prompt",), admin=True, summary="the chat persona"),
        CommandSpec("settings show", "settings", (), summary="show the settings"),
        CommandSpec("privacy optout", "privacy", (), erases=True, summary="stop storing my messages and erase them"),
        CommandSpec("privacy optin", "privacy", (), summary="store my messages again"),
        CommandSpec("privacy forget", "privacy", (), erases=True, summary="erase my stored messages"),
        CommandSpec("help", "help", (), summary="what I understand"),
        CommandSpec("chat", "chat", (), summary="talk"),
    )
}

INTENTS: tuple[str, ...] = tuple(COMMANDS)
APIS: tuple[str, ...] = ("summaries", "tasks", "digest", "models", "settings", "privacy")
MODEL_TASKS: tuple[str, ...] = ("summarization", "text_generation", "classification", "embedding")


def is_command(intent: str) -> bool:
    return intent not in ("chat",)


HELP_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("summarize", "summarize #dev since 2h · what did I miss in #release? · tl;dr of the last 100 messages, privately"),
    ("tasks list", "what's still open for me? · show Maya's tasks · done tasks in #release"),
    ("tasks scan", "scan #dev for action items since 24h"),
    ("digest set", "post a digest in #daily at 9am Berlin time covering #general and #dev"),
    ("digest off", "turn off the digest"),
    ("digest preview", "preview the digest"),
    ("model switch", "switch the summarizer to pegasus"),
    ("model list", "which models can I use?"),
    ("model status", "what's loaded right now?"),
    ("settings timezone", "set the timezone to America/New_York"),
    ("settings retention", "keep messages for 90 days"),
    ("settings chat-prompt", "set the chat prompt to You help the Rust study group."),
    ("settings show", "show the settings"),
    ("privacy optout", "stop storing my messages"),
    ("privacy optin", "store my messages again"),
    ("privacy forget", "forget my messages"),
)


def help_text() -> str:
    """What the bot understands, one line per command with an example request (for /help and a "help" request)."""
    lines = ['Mention me and ask in your own words; follow-ups like "and for #general?" or "same but last 50" work too.']
    for name, examples in HELP_EXAMPLES:
        spec = COMMANDS[name]
        marks = " (Manage Server, asks to confirm)" if spec.admin else " (asks to confirm)" if spec.erases else ""
        lines.append(f"**/{name}** — {spec.summary}{marks}: _{examples}_")
    lines.append("Anything else is chat.")
    return "\n".join(lines)
