"""Model text made fit for Discord: pieces within the 2,000-character message limit, and mentions that cannot ping."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import discord

DISCORD_MESSAGE_LIMIT = 2000
ZERO_WIDTH_SPACE = "\u200b"

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
MASS_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)


def asker_only(user: discord.abc.Snowflake) -> discord.AllowedMentions:
    """Ping nobody but the person who asked, whatever the model wrote."""
    return discord.AllowedMentions(everyone=False, roles=False, users=[user], replied_user=True)


def neutralize_mentions(text: str, allowed_user_id: int | None = None, names: Mapping[int, str] | None = None) -> str:
    """Make model output unable to ping: `@everyone`/`@here`/role mentions get a zero-width space, other users'
    mentions become their display name as plain text. Only `allowed_user_id` keeps a real mention.

    Defence in depth: replies are also sent with AllowedMentions that allow nobody but the asker.
    """
    names = names or {}

    def user(match: re.Match[str]) -> str:
        user_id = int(match.group(1))
        if allowed_user_id is not None and user_id == allowed_user_id:
            return f"<@{user_id}>"
        return "@" + ZERO_WIDTH_SPACE + names.get(user_id, "someone")

    text = ROLE_MENTION.sub("@" + ZERO_WIDTH_SPACE + "role", text)
    text = USER_MENTION.sub(user, text)
    return MASS_MENTION.sub(lambda m: "@" + ZERO_WIDTH_SPACE + m.group(1), text)


# --- splitting ---------------------------------------------------------------------------------------------------


FENCE = re.compile(r"^[ \t]*```(.*)$")
CLOSE_FENCE = "\n```"
# A reopened fence repeats the language tag; a long "tag" is really text and is not repeated.
MAX_FENCE_TAG = 20


def _fence_state(text: str) -> str | None:
    """The language tag of the code block still open at the end of `text` ("" for no tag), None outside code."""
    open_tag: str | None = None
    for line in text.split("\n"):
        match = FENCE.match(line)
        if match:
            open_tag = None if open_tag is not None else match.group(1).strip()
    return open_tag


def _inside_code(text: str, position: int) -> bool:
    return _fence_state(text[:position]) is not None


def _best_cut(window: str) -> int | None:
    """Where to cut `window`: the last paragraph, line, sentence or word boundary outside code in its last three
    quarters; else any paragraph or line break before a code block (the block then starts a fresh piece); else a
    line inside code; else any whitespace."""
    outside = lambda i: not _inside_code(window, i)  # noqa: E731
    anywhere = lambda i: True  # noqa: E731
    paragraph, line, sentence, word = re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s"), re.compile(r"\s")
    late = len(window) // 4
    tiers: list[tuple[re.Pattern[str], Callable[[int], bool], int]] = [
        (paragraph, outside, late),
        (line, outside, late),
        (sentence, outside, late),
        (word, outside, late),
        (paragraph, outside, 0),
        (line, outside, 0),
        (line, anywhere, late),
        (line, anywhere, 0),
        (word, anywhere, 0),
    ]
    for pattern, allowed, minimum in tiers:
        for match in reversed(list(pattern.finditer(window))):
            if match.start() < minimum:
                break
            if match.start() > 0 and allowed(match.start()):
                return match.start()
    return None


def split_message(text: str, limit: int = DISCORD_MESSAGE_LIMIT) -> list[str]:
    """Split text into pieces of at most `limit` characters at the gentlest boundary available.

    A code block cut in two is closed at the end of one piece and reopened (same language) at the start of the
    next, so each piece renders as valid Markdown.
    """
    if limit < 40:
        raise ValueError("limit must leave room for code fences")
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[: limit - len(CLOSE_FENCE)]
        cut = _best_cut(window) or len(window)
        if FENCE.match(text[:cut].rstrip().split("\n")[-1]) and _fence_state(text[:cut]) is not None:
            cut = len(window)  # a piece holding only a code block's opening line would be reopened forever
        head, rest = text[:cut].rstrip(), text[cut:].lstrip("\n")
        open_tag = _fence_state(head)
        if open_tag is not None:
            head += CLOSE_FENCE
            tag = open_tag if len(open_tag) <= MAX_FENCE_TAG else ""
            rest = f"```{tag}\n{rest}"
        elif not rest.startswith("```"):
            rest = rest.lstrip()
        if head.strip():
            pieces.append(head)
        text = rest
    if text.strip():
        pieces.append(text)
    return pieces


def discord_pieces(text: str, asker_id: int | None) -> list[str]:
    """A reply as the messages to post: unable to ping anyone but the asker, each within Discord's limit."""
    return split_message(neutralize_mentions(text, asker_id))
