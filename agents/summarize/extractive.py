"""The extractive summarizer: the most central messages of each conversation, with no model weights.

Also the pre-selection step when a window is far larger than a model's input budget.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from agents.summarize.segment import segments
from agents.summarize.textsim import TfIdf, dot, similarity_matrix, textrank

# TextRank runs on blocks of at most this many consecutive messages (its cost is quadratic).
RANK_BLOCK = 150
# Messages with fewer content words than this are rarely worth quoting ("ok", "lol", an emoji).
MIN_CONTENT_WORDS = 3
# Bullets longer than this are shortened for display (the model input is never cut).
BULLET_MAX_CHARS = 220
# A candidate this similar to a chosen bullet says the same thing again.
REDUNDANT_SIMILARITY = 0.5


def score_messages(message_words: Sequence[Sequence[str]], starts: Sequence[int]) -> np.ndarray:
    """How representative each message is: centrality within its conversation and the window."""
    count = len(message_words)
    if count == 0:
        return np.zeros(0)
    tfidf = TfIdf(message_words)
    vectors = [tfidf.vector(w) for w in message_words]
    centroid: dict[str, float] = {}
    for vector in vectors:
        for term, weight in vector.items():
            centroid[term] = centroid.get(term, 0.0) + weight
    norm = math.sqrt(sum(w * w for w in centroid.values())) or 1.0
    centroid = {term: w / norm for term, w in centroid.items()}

    scores = np.zeros(count)
    for segment in segments(count, starts):
        for block_start in range(segment.start, segment.stop, RANK_BLOCK):
            block = range(block_start, min(segment.stop, block_start + RANK_BLOCK))
            ranks = textrank(similarity_matrix([vectors[i] for i in block]))
            # Rank relative to the block's mean, so small and large blocks compare fairly.
            scores[block.start : block.stop] = ranks * len(block)
    for i, vector in enumerate(vectors):
        content = len(message_words[i])
        weight = min(1.0, content / MIN_CONTENT_WORDS) if content else 0.05
        scores[i] *= weight * (0.5 + dot(vector, centroid))
    return scores


def _shorten(text: str, limit: int = BULLET_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pick_messages(
    message_words: Sequence[Sequence[str]],
    starts: Sequence[int],
    scores: np.ndarray,
    count: int,
) -> list[int]:
    """`count` indexes of representative, non-redundant messages, spread over the conversations, in order."""
    total = len(message_words)
    if total == 0 or count <= 0:
        return []
    count = min(count, total)
    tfidf = TfIdf(message_words)
    vectors = [tfidf.vector(w) for w in message_words]
    parts = segments(total, starts)
    # Each conversation gets bullets in proportion to its size, the largest first.
    quota = {k: 0 for k in range(len(parts))}
    by_size = sorted(range(len(parts)), key=lambda k: (-len(parts[k]), k))
    for _ in range(count):
        best = max(by_size, key=lambda k: (len(parts[k]) / (quota[k] + 1), -k))
        quota[best] += 1
    chosen: list[int] = []
    for k, part in enumerate(parts):
        ranked = sorted(part, key=lambda i: (-scores[i], i))
        taken: list[int] = []
        for i in ranked:
            if len(taken) >= quota[k]:
                break
            if any(dot(vectors[i], vectors[j]) > REDUNDANT_SIMILARITY for j in taken):
                continue
            taken.append(i)
        chosen.extend(taken)
    return sorted(chosen)


def bullet_count(messages: int, limit: int = 8) -> int:
    """Roughly the square root of the window's size, from 1 to `limit`."""
    return max(1, min(limit, round(math.sqrt(messages) * 0.8)))


def extractive_bullets(
    lines: Sequence[str],
    message_words: Sequence[Sequence[str]],
    starts: Sequence[int],
    ids: Sequence[int],
    max_bullets: int = 8,
) -> list[tuple[str, tuple[int, ...]]]:
    """(text, (message id,)) for the chosen messages, oldest first."""
    scores = score_messages(message_words, starts)
    picked = pick_messages(message_words, starts, scores, bullet_count(len(lines), max_bullets))
    return [(_shorten(lines[i]), (ids[i],)) for i in picked]


def select_within_budget(scores: np.ndarray, tokens: Sequence[int], budget: int) -> list[int]:
    """The best-scoring messages whose tokens add up to at most `budget`, in their original order."""
    chosen: list[int] = []
    used = 0
    for i in sorted(range(len(tokens)), key=lambda i: (-scores[i], i)):
        if used + tokens[i] <= budget:
            chosen.append(i)
            used += tokens[i]
    return sorted(chosen)
