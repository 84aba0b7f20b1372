"""Where chunk summaries are kept between runs: the protocol, and an in-memory store for tests and the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class CachedChunk:
    """A chunk (or merged) summary and the messages it read, so an edit or delete can drop it."""

    key: str
    summary: str
    message_ids: tuple[int, ...]
    model_key: str
    channel_id: int | None = None


@runtime_checkable
class ChunkCache(Protocol):
    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The summaries stored under those of `keys` that are known."""
        ...

    async def put_many(self, chunks: Sequence[CachedChunk]) -> None:
        """Store summaries; a key already stored keeps its value."""
        ...


class InMemoryChunkCache:
    """A dict behind the ChunkCache protocol, counting hits and misses."""

    def __init__(self) -> None:
        self.entries: dict[str, CachedChunk] = {}
        self.hits = 0
        self.misses = 0

    async def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found = {key: self.entries[key].summary for key in keys if key in self.entries}
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        return found

    async def put_many(self, chunks: Sequence[CachedChunk]) -> None:
        for chunk in chunks:
            self.entries.setdefault(chunk.key, chunk)

    def invalidate_messages(self, message_ids: Sequence[int]) -> int:
        """Drop every entry that read one of these messages; returns how many were dropped."""
        touched = set(message_ids)
        stale = [key for key, chunk in self.entries.items() if touched.intersection(chunk.message_ids)]
        for key in stale:
            del self.entries[key]
        return len(stale)

    def __len__(self) -> int:
        return len(self.entries)
