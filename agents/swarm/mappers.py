"""API mappers: one per API. Each turns a request and its command into the slash command's options.

Only what the text says becomes an option (no defaults); a value named but unreadable is reported as a
problem for the error recognizer. Validation of the values uses the same rules as the slash commands'
parsers (`validators`, given by the bot layer, which owns those parsers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.swarm import slots
from agents.swarm.commands import COMMANDS
from agents.swarm.text import Request


@dataclass
class Mapped:
    args: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, option, detail)


@dataclass(frozen=True)
class MapContext:
    channels: Mapping[str, int | None]  # the server's channel names (ids where known)
    here: str | None  # this channel's name
    model_keys: Mapping[str, str]  # registry key -> task
    validators: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)  # option -> raises ValueError when refused


def _channel(request: Request, ctx: MapContext) -> str | None:
    refs = slots.channel_refs(request.own, ctx.channels) or slots.channel_refs(request.original.lower(), ctx.channels)
    if refs:
        return refs[0].name
    return None


def _window(request: Request, out: Mapped) -> None:
    value = slots.read_window(request.own)
    if isinstance(value, slots.Unreadable):
        out.problems.append(("refused", "window", value.text))
    elif value:
        out.args["window"] = value


def map_summaries(command: str, request: Request, ctx: MapContext) -> Mapped:
    out = Mapped()
    channel = _channel(request, ctx)
    if channel:
        out.args["channel"] = channel
    _window(request, out)
    key = slots.read_model_key(request.own, [k for k, task in ctx.model_keys.items() if task == "summarization"])
    if key:
        out.args["model"] = key
    private = slots.read_private(request.own)
    if private is not None:
        out.args["private"] = private
    return out


def map_tasks(command: str, request: Request, ctx: MapContext) -> Mapped:
    out = Mapped()
    channel = _channel(request, ctx)
    if channel:
        out.args["channel"] = channel
    if command == "tasks scan":
        _window(request, out)
        return out
    user = slots.read_user(request.own, request.original, ctx.channels)
    if user:
        out.args["user"] = user
    status = slots.read_status(request.own)
    if status:
        out.args["status"] = status
    private = slots.read_private(request.own)
    if private is not None:
        out.args["private"] = private
    return out


_SOURCE_CUE = re.compile(
    r"(?:from|of|covering|cover|for|about|summarizing|summarising|sources?|include|including|with|across|watching|on)\s*:?\s*(?:the\s+)?(?:channels?\s+)?$"
)
_TARGET_CUE = re.compile(r"(?:in|into|to|post(?:ed)?(?: it)?(?: in| to)?|channel|at|inside|dans|en|im|nach)\s*:?\s*(?:the\s+)?$")
_JOIN = re.compile(r"^\s*(?:,|and|&|\+|plus|as well as|y|et|und)?\s*$")


def map_digest(command: str, request: Request, ctx: MapContext) -> Mapped:
    out = Mapped()
    if command != "digest set":
        return out
    text = request.own
    refs = slots.channel_refs(text, ctx.channels)
    target: str | None = None
    sources: list[str] = []
    role: str | None = None
    previous_end = 0
    for ref in refs:
        before = text[max(0, ref.start - 40) : ref.start]
        between = text[previous_end : ref.start]
        if role is not None and _JOIN.match(between):
            pass  # "#general and #dev": the same role as the previous channel
        elif _SOURCE_CUE.search(before):
            role = "source"
        elif _TARGET_CUE.search(before):
            role = "target"
        else:
            role = "target" if target is None else "source"
        if role == "target" and target is None:
            target = ref.name
        elif ref.name not in sources:
            sources.append(ref.name)
        previous_end = ref.end
    if target is None and ctx.here and re.search(r"\b(?:post (?:it |them )?here|in here|here\b|this channel|ici|aquí|hier)", text):
        target = ctx.here
    if target is None and sources and not re.search(r"\b(?:from|of|covering|sources?)\b", text):
        target = sources.pop(0)
    if target:
        out.args["channel"] = target
    time = slots.read_time(text)
    if time:
        out.args["time"] = time
    zone = slots.read_timezone(text)
    if isinstance(zone, slots.Unreadable):
        out.problems.append(("refused", "timezone", zone.text))
    elif zone:
        out.args["timezone"] = zone
    if sources:
        out.args["sources"] = sources
    return out


def map_models(command: str, request: Request, ctx: MapContext) -> Mapped:
    out = Mapped()
    if command != "model switch":
        return out
    text = request.own
    key = slots.read_model_key(text, ctx.model_keys)
    task = slots.read_model_task(text.replace(key or "\0", " "))
    if key and task is None:
        task = ctx.model_keys.get(key)  # a key belongs to one task: "switch to pegasus" says summarization
    if key and task and ctx.model_keys.get(key) not in (None, task):
        # "use minilm for summaries": the key is real but not for that task; keep what was said, flag it.
        out.problems.append(("refused", "key", key))
    if task:
        out.args["task"] = task
    if key:
        out.args["key"] = key
    else:
        unknown = slots.unknown_model_key(text)
        if unknown:
            out.args["key"] = unknown
            out.problems.append(("unknown_key", "key", unknown))
    return out


_PROMPT = re.compile(
    r"(?:prompt|persona|personality|system message|instructions?|introduction|bio|description)\s*(?:to|as|is|=|:|into|so (?:that )?it says)?\s+(?!to\b)(.+)$|"
    r"(?:tell (?:it|you|the bot) (?:that|to)|you are now|from now on you are|act as|behave (?:like|as)|pretend (?:to be|you are))\s+(.+)$",
    re.IGNORECASE | re.DOTALL,
)


def map_settings(command: str, request: Request, ctx: MapContext) -> Mapped:
    out = Mapped()
    text = request.own
    if command == "settings timezone":
        zone = slots.read_timezone(text)
        if isinstance(zone, slots.Unreadable):
            out.problems.append(("refused", "name", zone.text))
        elif zone:
            out.args["name"] = zone
    elif command == "settings retention":
        if not re.search(r"\b(?:default|reset)\b", text):
            days = slots.read_days(text)
            if days is not None:
                out.args["days"] = days
    elif command == "settings chat-prompt":
        match = _PROMPT.search(request.original)
        if match and not re.search(r"\b(?:reset|clear|remove|default|built-in|delete)\b", text):
            prompt = (match.group(1) or match.group(2) or "").strip().strip("\"'“”`").strip()
            if prompt:
                out.args["prompt"] = prompt
    return out


def map_nothing(command: str, request: Request, ctx: MapContext) -> Mapped:
    return Mapped()


MAPPERS: dict[str, Callable[[str, Request, MapContext], Mapped]] = {
    "summaries": map_summaries,
    "tasks": map_tasks,
    "digest": map_digest,
    "models": map_models,
    "settings": map_settings,
    "privacy": map_nothing,
    "help": map_nothing,
    "chat": map_nothing,
}


def map_options(command: str, request: Request, ctx: MapContext) -> Mapped:
    """The command's options from the text, checked by the slash commands' own parsers where given."""
    mapped = MAPPERS[COMMANDS[command].api](command, request, ctx)
    written = slots.slash_options(request.original)  # "window:last 20" typed like the slash command
    for option, value in written.items():
        if option in COMMANDS[command].options and value:
            mapped.args[option] = _typed(option, value)
    for option, value in list(mapped.args.items()):
        check = ctx.validators.get(option)
        if check is None or any(p[1] == option for p in mapped.problems):
            continue
        try:
            check(value)
        except ValueError as exc:  # the parser refused; its one-line message is the explanation
            mapped.problems.append(("refused", option, str(exc)))
    return mapped


def _typed(option: str, value: str) -> Any:
    if option == "private":
        return value.lower() in ("true", "yes", "1", "on")
    if option == "days":
        return int(value) if value.isdigit() else value
    if option == "channel":
        return value.lstrip("#").lower()
    if option == "sources":
        return [part.lstrip("#").lower() for part in re.split(r"[\s,]+", value) if part]
    return value


def inheritable(command: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The options of a previous request that a follow-up of `command` keeps."""
    allowed = set(COMMANDS[command].options)
    return {k: v for k, v in args.items() if k in allowed}


def required_missing(command: str, args: Mapping[str, Any]) -> list[str]:
    return [option for option in COMMANDS[command].required if option not in args]


def known_keys(specs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {key: task for task, key in specs}
