"""Keep the event loop responsive during event bursts: a gateway reader that yields, and startup objects kept out of GC passes.

Measured in BENCHMARKS.md (## Ingest: collector): on a 10,000-message burst discord.py's reader handles every
buffered event in one go (up to ~130 ms without a pause), and a full garbage collection over the startup heap
lands in whatever callback triggers it (~40 ms with discord.py + SQLAlchemy loaded, ~390 ms once torch and
transformers are imported). Both are wired in by bot.client (see the harness report); neither changes behaviour.
"""

from __future__ import annotations

import asyncio
import gc

import discord.client
import discord.gateway

DEFAULT_YIELD_EVERY = 25


class YieldingWebSocket(discord.gateway.DiscordWebSocket):
    """discord.py's gateway socket, letting other tasks run after every `yield_every` events.

    discord.py's reader loop never suspends while events are buffered, so a burst holds the loop for as long
    as parsing the whole backlog takes; one `sleep(0)` every few events bounds that at a few milliseconds.
    """

    yield_every = DEFAULT_YIELD_EVERY
    _events_since_yield = 0

    async def poll_event(self) -> None:
        await super().poll_event()
        cls = YieldingWebSocket
        cls._events_since_yield += 1
        if cls._events_since_yield >= self.yield_every:
            cls._events_since_yield = 0
            await asyncio.sleep(0)


def install_yielding_gateway(every: int = DEFAULT_YIELD_EVERY) -> None:
    """Make discord.py's Client connect through YieldingWebSocket (process-wide; call before connecting)."""
    YieldingWebSocket.yield_every = max(1, every)
    discord.client.DiscordWebSocket = YieldingWebSocket  # type: ignore[misc]


def uninstall_yielding_gateway() -> None:
    discord.client.DiscordWebSocket = discord.gateway.DiscordWebSocket  # type: ignore[misc]


def freeze_startup_objects() -> None:
    """Collect once, then move every object alive now (modules, cogs, loaded models) out of the collector's view.

    Later full collections then scan only what was allocated since, instead of pausing the loop for the whole
    heap. Call it when the bot is ready, and again after loading a model.
    """
    gc.collect()
    gc.freeze()
