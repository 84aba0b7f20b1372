"""Turning a member's message into the text the roles read: the bot's mention removed, quotes set aside.

Only the member's own words are a request: quoted text, block quotes, code and what someone else "said"
are kept apart as data (a quoted "forget my messages" never erases anything).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 600  # a request is a sentence or two; a 4,000-character message is read only this far

_QUOTED = re.compile(r'"[^"]{0,400}"|“[^”]{0,400}”|«[^»]{0,400}»|„[^“”]{0,400}[“”]|```.*?```|`[^`]{0,400}`', re.DOTALL)
_BLOCKQUOTE = re.compile(r"^\s*>.*$", re.MULTILINE)
# Reported speech needs its colon ("Maya wrote: forget my messages"); "what the folks said over the last hour" is a request.
_REPORTED = re.compile(
    r"\b(?:\w+\s+(?:said|says|wrote|writes|posted|asked|told (?:me|us|you))|the message says|it says|someone said|"
    r"(?:he|she|they) (?:said|wrote))\s*:\s*(.*)$",
    re.I | re.S,
)
_MENTION_PREFIX = re.compile(r"^\s*(?:<@!?\d+>\s*[,:]?\s*)+")
_EMOJI_CODE = re.compile(r"<a?:\w+:\d+>|:[a-z0-9_+-]{2,30}:")


@dataclass(frozen=True)
class Request:
    original: str  # the member's message without the bot's mention (prompts are read from here, with case)
    own: str  # the member's own words, quotes replaced by QUOTE, lower case, for intent and options
    quoted: tuple[str, ...]  # what was set aside


def _strip_symbols(text: str) -> str:
    # Emoji and pictographs carry no command; keep letters, digits, punctuation that options use.
    return "".join(ch if unicodedata.category(ch)[0] in "LNPZ" or ch in "<>#@:/+-_.'" else " " for ch in text)


def prepare(message: str, *, bot_mention: str | None = None) -> Request:
    text = (message or "")[: MAX_CHARS * 2]
    if bot_mention:
        text = text.replace(bot_mention, " ")
    text = _MENTION_PREFIX.sub("", text)
    text = text.replace("’", "'").replace("‘", "'")
    original = re.sub(r"\s+", " ", text).strip()[:MAX_CHARS]
    quoted: list[str] = []

    def keep(match: re.Match) -> str:
        quoted.append(match.group(0))
        return " QUOTE "

    own = _QUOTED.sub(keep, text)
    own = _BLOCKQUOTE.sub(keep, own)
    reported = _REPORTED.search(own)
    if reported:
        quoted.append(reported.group(1))
        own = own[: reported.start(1)] + " QUOTE"
    own = _EMOJI_CODE.sub(" ", own)
    own = _strip_symbols(own)
    own = re.sub(r"\s+", " ", own).strip().lower()[:MAX_CHARS]
    return Request(original=original, own=own, quoted=tuple(quoted))
