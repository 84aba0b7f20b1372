"""Splitting a window of messages into conversations: pauses, reply chains and topic shifts.

Every decision looks at most `TOPIC_WINDOW` messages ahead and never at window-wide statistics,
so appending messages can only move boundaries near the old end: the chunks before stay the
same and their cached summaries keep hitting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from agents.records import MessageRecord
from agents.summarize.textsim import cosine

# A pause this long ends a conversation, whatever comes next.
CONVERSATION_GAP = timedelta(minutes=30)
# Topic shifts compare the words of this many messages before and after a position...
TOPIC_WINDOW = 6
# ...and start a new segment where they share less than this (cosine of word counts).
TOPIC_SIMILARITY = 0.06
# Each side needs this many content words before a lexical comparison means anything.
TOPIC_MIN_WORDS = 8


def segment_starts(messages: Sequence[MessageRecord], message_words: Sequence[Sequence[str]]) -> list[int]:
    """Indexes of the messages that start a new segment (always includes 0 for a non-empty window)."""
    if not messages:
        return []
    starts = [0]
    index_of = {m.id: i for i, m in enumerate(messages)}
    for i in range(1, len(messages)):
        current_start = starts[-1]
        if messages[i].created_at - messages[i - 1].created_at >= CONVERSATION_GAP:
            starts.append(i)
            continue
        reply_to_id = messages[i].reply_to_id
        replied = index_of.get(reply_to_id) if reply_to_id is not None else None
        if replied is not None and replied >= current_start:
            continue  # answering something in this conversation: it goes on
        if i - current_start < TOPIC_WINDOW or i + TOPIC_WINDOW > len(messages):
            continue  # too short to split, or not enough messages ahead to judge yet
        before = Counter(w for tokens in message_words[i - TOPIC_WINDOW : i] for w in tokens)
        after = Counter(w for tokens in message_words[i : i + TOPIC_WINDOW] for w in tokens)
        if sum(before.values()) < TOPIC_MIN_WORDS or sum(after.values()) < TOPIC_MIN_WORDS:
            continue
        # A reply to an earlier conversation is itself a hint that this one has ended.
        limit = 2 * TOPIC_SIMILARITY if replied is not None else TOPIC_SIMILARITY
        if cosine(before, after) < limit:
            starts.append(i)
    return starts


def segments(count: int, starts: Sequence[int]) -> list[range]:
    """The index ranges between consecutive starts."""
    bounds = list(starts) + [count]
    return [range(bounds[k], bounds[k + 1]) for k in range(len(starts))]
