"""Turning Discord messages into the short `Name: text` lines a summarization model reads."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from agents.records import MessageRecord

# A code block longer than this is condensed to a note: a model cannot summarize a stack trace,
# and code would eat the token budget that the conversation around it needs.
CODE_BLOCK_MAX_LINES = 3
CODE_BLOCK_MAX_CHARS = 200

_CODE_BLOCK = re.compile(r"```([A-Za-z0-9_+#.-]*)\n?(.*?)(?:```|$)", re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_CHANNEL_MENTION = re.compile(r"<#(\d+)>")
_SLASH_COMMAND = re.compile(r"</([\w -]+):\d+>")
_CUSTOM_EMOJI = re.compile(r"<a?:(\w+):\d+>")
_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::[tTdDfFR])?>")
_SPOILER = re.compile(r"\|\|(.+?)\|\|", re.DOTALL)
_URL = re.compile(r"<?(https?://[^\s<>]+)>?")
_EVERYONE = re.compile(r"@(everyone|here)\b")
_FORMATTING = re.compile(r"(\*\*\*|\*\*|__|~~)(.+?)\1", re.DOTALL)
_HEADING = re.compile(r"^(#{1,3}|-#)\s+", re.MULTILINE)
_QUOTE = re.compile(r"^>>?>?\s?", re.MULTILINE)
_WHITESPACE = re.compile(r"\s+")


def _code_note(language: str, body: str) -> str:
    body = body.strip("\n")
    lines = body.count("\n") + 1 if body else 0
    if lines <= CODE_BLOCK_MAX_LINES and len(body) <= CODE_BLOCK_MAX_CHARS:
        return f" {body} "
    label = f" {language.lower()}" if language else ""
    return f" [code: {lines} lines{label}] "


def _link_note(match: re.Match[str]) -> str:
    url = match.group(1).rstrip(".,);:!?")
    trailing = match.group(1)[len(url):]
    host = urlsplit(url).hostname or "link"
    if host.startswith("www."):
        host = host[4:]
    if host in ("cdn.discordapp.com", "media.discordapp.net"):
        return "[file]" + trailing
    if host in ("discord.com", "discordapp.com") and "/channels/" in url:
        return "[message link]" + trailing
    return f"[link: {host}]{trailing}"


def _timestamp_text(match: re.Match[str]) -> str:
    try:
        moment = datetime.fromtimestamp(int(match.group(1)), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return "[time]"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def render_content(message: MessageRecord) -> str:
    """The message body as one readable line: mentions named, code and links condensed, markup removed."""
    text = message.content or ""
    text = _CODE_BLOCK.sub(lambda m: _code_note(m.group(1), m.group(2)), text)
    text = _INLINE_CODE.sub(r"\1", text)
    # Spoilers stay hidden: a summary must not reveal what the author chose to hide.
    text = _SPOILER.sub("[spoiler]", text)
    names: Mapping[int, str] = message.mention_names or {}
    text = _USER_MENTION.sub(lambda m: "@" + names.get(int(m.group(1)), "someone"), text)
    text = _ROLE_MENTION.sub("@role", text)
    text = _CHANNEL_MENTION.sub("#channel", text)
    text = _SLASH_COMMAND.sub(r"/\1", text)
    text = _CUSTOM_EMOJI.sub(r":\1:", text)
    text = _TIMESTAMP.sub(_timestamp_text, text)
    text = _URL.sub(_link_note, text)
    # Written without the @, so a summary quoting it can never ping anyone.
    text = _EVERYONE.sub(r"\1", text)
    text = _FORMATTING.sub(r"\2", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    notes = [f"[attachment: {_short(a)}]" for a in message.attachments]
    notes += [f"[embed: {_short(e, 80)}]" for e in message.embeds]
    if notes:
        text = f"{text} {' '.join(notes)}"
    text = _WHITESPACE.sub(" ", text).strip()
    return text or "[empty message]"


def _short(text: str, limit: int = 60) -> str:
    text = _WHITESPACE.sub(" ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def speaker(message: MessageRecord) -> str:
    name = _WHITESPACE.sub(" ", message.author_name or f"user {message.author_id}").strip()
    return f"{name} [bot]" if message.is_bot else name


def render_message(message: MessageRecord, reply_to_name: str | None = None) -> str:
    """`Name: text`, or `Name (to Other): text` for a reply whose target is in the window."""
    who = speaker(message)
    if reply_to_name:
        who = f"{who} (to {reply_to_name})"
    return f"{who}: {render_content(message)}"


def render_messages(messages: Sequence[MessageRecord]) -> list[str]:
    """One line per message, in order; replies name the author they answer when it is in the window."""
    authors = {m.id: speaker(m) for m in messages}
    return [
        render_message(m, authors.get(m.reply_to_id) if m.reply_to_id is not None else None)
        for m in messages
    ]
