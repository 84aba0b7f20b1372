"""Discord markup as plain text, and cleaning of any text the bot shows: the one place for both.

Every agent that reads a message (summaries, tasks, chat) renders it through `plain_text`, and every name or
text the bot puts in front of people goes through `clean_text` / `clean_name`, so a right-to-left override,
a zero-width character hiding a mention or a stack of combining marks is handled the same way everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from agents.records import MessageRecord

# Bidirectional controls: they reorder what follows ("nimda" shown as "admin").
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters that can split "@every\u200bone" or hide text.
_INVISIBLE = "\u00ad\u034f\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
_STRIP = dict.fromkeys(map(ord, _BIDI + _INVISIBLE))
# Combining marks kept per base character; more is "zalgo" text that covers the lines around it.
MAX_COMBINING = 2

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
_EVERYONE = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_FORMATTING = re.compile(r"(\*\*\*|\*\*|__|~~)(.+?)\1", re.DOTALL)
_HEADING = re.compile(r"^(#{1,3}|-#)\s+", re.MULTILINE)
_QUOTE = re.compile(r"^>>?>?\s?", re.MULTILINE)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_WHITESPACE = re.compile(r"\s+")
# Issue / pull-request links keep their number when condensed: "#123" is the key fact of such a link.
_NUMBERED_LINK = re.compile(r"/(pull|pulls|issues|merge_requests|-/merge_requests|-/issues)/(\d+)")

# A code block longer than this is condensed to a note in compact text: a model cannot summarize a
# stack trace, and code would eat the token budget that the conversation around it needs.
CODE_BLOCK_MAX_LINES = 3
CODE_BLOCK_MAX_CHARS = 200


def clean_text(text: str) -> str:
    """`text` without bidi controls, invisible characters, control characters or combining-mark stacks.

    Newlines and tabs stay; everything else is NFC-normalised. Safe to apply more than once.
    """
    text = unicodedata.normalize("NFC", str(text)).translate(_STRIP)
    out: list[str] = []
    marks = 0
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" and char not in "\n\t":
            continue
        if category in ("Mn", "Me"):
            marks += 1
            if marks > MAX_COMBINING:
                continue
        else:
            marks = 0
        out.append(char)
    return "".join(out)


def clean_name(name: str | None, fallback: str = "someone") -> str:
    """A display name as it may be shown: cleaned, on one line, never empty."""
    cleaned = _WHITESPACE.sub(" ", clean_text(name or "")).strip()
    return cleaned or fallback


def defuse_mass_mentions(text: str) -> str:
    """`@everyone` / `@here` written without the @, so text that quotes them can never ping anyone."""
    return _EVERYONE.sub(lambda m: m.group(1), text)


def _code_note(language: str, body: str) -> str:
    body = body.strip("\n")
    lines = body.count("\n") + 1 if body else 0
    if lines <= CODE_BLOCK_MAX_LINES and len(body) <= CODE_BLOCK_MAX_CHARS:
        return f" {body} "
    label = f" {language.lower()}" if language else ""
    return f" [code: {lines} lines{label}] "


def link_note(url: str) -> str:
    """A URL condensed to what a reader needs: its site, and the number of an issue or pull request."""
    host = urlsplit(url).hostname or "link"
    host = host.removeprefix("www.")
    if host in ("cdn.discordapp.com", "media.discordapp.net"):
        return "[file]"
    if host in ("discord.com", "discordapp.com") and "/channels/" in url:
        return "[message link]"
    numbered = _NUMBERED_LINK.search(urlsplit(url).path)
    if numbered:
        kind = "PR" if "pull" in numbered.group(1) or "merge" in numbered.group(1) else "issue"
        return f"[{host} {kind} #{numbered.group(2)}]"
    return f"[link: {host}]"


def _condensed_link(match: re.Match[str]) -> str:
    url = match.group(1).rstrip(".,);:!?")
    return link_note(url) + match.group(1)[len(url) :]


def _timestamp_text(match: re.Match[str]) -> str:
    try:
        moment = datetime.fromtimestamp(int(match.group(1)), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return "[time]"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _short(text: str, limit: int = 60) -> str:
    text = _WHITESPACE.sub(" ", str(text)).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain_text(
    record: MessageRecord,
    *,
    compact: bool = False,
    mention: Callable[[int, str], str] | None = None,
    notes: bool = True,
) -> str:
    """A message's text as people read it in Discord, on one line.

    Mentions become `@Name`, `#channel-name`, `@role-name`; custom emoji `:name:`; timestamps a UTC time;
    spoilers stay hidden (a summary must not reveal what the author chose to hide); `@everyone`/`@here`
    lose their `@`; markdown formatting is removed. `compact` also condenses long code blocks and links
    (keeping issue and PR numbers), for text a model reads under a token budget. `mention(user_id, name)`
    formats a user mention differently (the tasks agent writes one-token handles). `notes` appends
    `[attachment: …]` / `[embed: …]` notes.
    """
    text = clean_text(record.content or "")
    if compact:
        text = _CODE_BLOCK.sub(lambda m: _code_note(m.group(1), m.group(2)), text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _SPOILER.sub("[spoiler]", text)
    users = record.mention_names or {}
    channels = record.channel_names or {}
    roles = record.role_names or {}

    def user(match: re.Match[str]) -> str:
        user_id = int(match.group(1))
        name = clean_name(users.get(user_id), "someone")
        return mention(user_id, name) if mention else "@" + name

    text = _USER_MENTION.sub(user, text)
    text = _ROLE_MENTION.sub(lambda m: "@" + clean_name(roles.get(int(m.group(1))), "role"), text)
    text = _CHANNEL_MENTION.sub(lambda m: "#" + clean_name(channels.get(int(m.group(1))), "channel"), text)
    text = _SLASH_COMMAND.sub(r"/\1", text)
    text = _CUSTOM_EMOJI.sub(r":\1:", text)
    text = _TIMESTAMP.sub(_timestamp_text, text)
    if compact:
        text = _URL.sub(_condensed_link, text)
    text = defuse_mass_mentions(text)
    text = _FORMATTING.sub(r"\2", text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    if notes:
        extras = [f"[attachment: {_short(a)}]" for a in record.attachments]
        # Stored embeds may already say "embed: ..."; don't say it twice.
        extras += [f"[{_short(e, 80)}]" if str(e).startswith("embed:") else f"[embed: {_short(e, 80)}]" for e in record.embeds]
        if extras:
            text = f"{text} {' '.join(extras)}"
    return _WHITESPACE.sub(" ", text).strip()
