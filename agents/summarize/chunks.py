"""Packing rendered messages into chunks that fit a model's window, and the cache keys of chunks.

Boundaries are chosen so they survive appends (greedy from the start; a decision never depends
on what follows) and resynchronize when the window's start moves: a chunk prefers to end where a
conversation segment starts or at an "anchor" message chosen by a hash of its id, so two
windows with different starts soon cut at the same places and share cached chunks again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# A chunk may end at a segment start once it is this full... (lower keeps conversations whole
# more often but makes more, emptier chunks; 0.7 measured no faster, within this machine's noise)
SEGMENT_CUT_FILL = 0.5
# ...or at an anchor message (about one message in ANCHOR_EVERY) once it is this full.
ANCHOR_CUT_FILL = 0.75
ANCHOR_EVERY = 8
# Tokens kept free in each piece of a split message for its "(part k/n)" label.
PART_LABEL_TOKENS = 12

# Bumped whenever rendering, packing or prompts change what a model would read for a chunk.
CHUNK_FORMAT_VERSION = 2  # 2: outputs cut off by the token limit lose their unfinished tail


@dataclass(frozen=True, slots=True)
class Piece:
    """One line a model reads: a whole message, or one part of a message too long for a chunk."""

    message_id: int
    text: str
    tokens: int  # the line's tokens including the line break that joins it to the next
    starts_segment: bool = False
    part: int = 0
    parts: int = 1

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive pieces that a model reads in one call."""

    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "\n".join(piece.text for piece in self.pieces)

    @property
    def tokens(self) -> int:
        return sum(piece.tokens for piece in self.pieces)

    @property
    def message_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(piece.message_id for piece in self.pieces))


def is_anchor(message_id: int) -> bool:
    """About one message in ANCHOR_EVERY, the same ones in every window (a hash of the id)."""
    digest = hashlib.blake2b(str(message_id).encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") % ANCHOR_EVERY == 0


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_long_line(
    speaker: str,
    body: str,
    budget: int,
    count_tokens: Callable[[list[str]], list[int]],
) -> list[str]:
    """Split one message too long for a chunk into `Speaker (part k/n): ...` lines that each fit `budget`.

    Cuts prefer sentence ends, then spaces; a run without spaces longer than the budget is cut by
    characters. Nothing is dropped: the parts joined with spaces are the whole message.
    """
    room = max(8, budget - PART_LABEL_TOKENS - count_tokens([f"{speaker} (part 99/99): "])[0])
    words = [w for sentence in _SENTENCE_END.split(body) for w in sentence.split(" ") if w]
    counts = count_tokens([" " + w for w in words]) if words else []
    units: list[tuple[str, int]] = []
    for word, tokens in zip(words, counts, strict=False):
        if tokens <= room:
            units.append((word, tokens))
            continue
        # No space to cut at: cut by characters, proportionally to the token count.
        step = max(1, len(word) * room // (tokens + 1))
        for start in range(0, len(word), step):
            piece = word[start : start + step]
            units.append((piece, count_tokens([" " + piece])[0]))

    bodies: list[str] = []
    current: list[str] = []
    used = 0
    for word, tokens in units:
        if current and used + tokens > room:
            bodies.append(" ".join(current))
            current, used = [], 0
        current.append(word)
        used += tokens
    if current:
        bodies.append(" ".join(current))

    # Token counts of words are not exactly additive; re-measure and halve any part that is over.
    checked: deque[str] = deque(bodies)
    fitting: list[str] = []
    while checked:
        text = checked.popleft()
        if count_tokens([text])[0] <= room or len(text) < 2:
            fitting.append(text)
            continue
        middle = text.rfind(" ", 0, len(text) // 2 + 1)
        middle = middle if middle > 0 else len(text) // 2
        checked.appendleft(text[middle:].strip() or text[middle:])
        checked.appendleft(text[:middle].strip() or text[:middle])
    total = len(fitting)
    return [f"{speaker} (part {k + 1}/{total}): {text}" for k, text in enumerate(fitting)]


def pack_pieces(
    pieces: Sequence[Piece],
    budget: int,
    measure: Callable[[str], int] | None = None,
) -> list[Chunk]:
    """Greedy packing into chunks of at most `budget` tokens, cutting early at segment starts and anchors.

    `measure`, when given, is the exact token count of a chunk's text as the model will read it
    (the sum of piece counts can be off by a token or two at line joins); a chunk it finds over
    `budget` gives its last pieces to the next chunk.
    """
    queue: deque[Piece] = deque(pieces)
    chunks: list[Chunk] = []
    current: list[Piece] = []
    used = 0

    def close() -> None:
        nonlocal current, used
        while measure is not None and len(current) > 1 and measure("\n".join(p.text for p in current)) > budget:
            queue.appendleft(current.pop())
        chunks.append(Chunk(tuple(current)))
        current, used = [], 0

    while queue:
        piece = queue.popleft()
        if current:
            full = used + piece.tokens > budget
            at_segment = piece.starts_segment and used >= SEGMENT_CUT_FILL * budget
            at_anchor = piece.part == 0 and used >= ANCHOR_CUT_FILL * budget and is_anchor(piece.message_id)
            if full or at_segment or at_anchor:
                queue.appendleft(piece)
                close()
                continue
        current.append(piece)
        used += piece.tokens
    if current:
        close()
    return chunks


def settings_fingerprint(model_key: str, generation: Mapping[str, object], extra: Mapping[str, object] | None = None) -> str:
    """A stable string for the model and the generation settings, part of every cache key."""
    return json.dumps(
        {"model": model_key, "generation": dict(generation), "extra": dict(extra or {}), "format": CHUNK_FORMAT_VERSION},
        sort_keys=True,
        default=str,
    )


def chunk_key(chunk: Chunk, settings: str) -> str:
    """sha256 over the chunk's message ids and content hashes, the model and its generation settings."""
    digest = hashlib.sha256(b"map\0" + settings.encode("utf-8"))
    for piece in chunk.pieces:
        digest.update(f"\0{piece.message_id}:{piece.part}/{piece.parts}:{piece.content_hash}".encode())
    return digest.hexdigest()


def merge_key(child_keys: Iterable[str], settings: str) -> str:
    """The key of a merged (reduce) summary: its children's keys, the model and its settings."""
    digest = hashlib.sha256(b"reduce\0" + settings.encode("utf-8"))
    for key in child_keys:
        digest.update(b"\0" + key.encode())
    return digest.hexdigest()
