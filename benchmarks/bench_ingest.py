"""Ingest benchmarks, by part: `collector` sends a burst of MESSAGE_CREATE events through the fake gateway into the real bot.

Usage: python benchmarks/bench_ingest.py collector [--messages 10000] [--database-url URL] [--fake-in-loop]
       [--all-cogs] [--gc-freeze] [--gateway-yield N]

The collector part measures messages/s from the first event sent to the last row committed, and the bot's
event-loop stalls: a probe task sleeps 10 ms over and over and records how late it wakes (target: never
more than 100 ms). By default the fake Discord runs in its own process, as Discord does, so the probe sees
the bot's work only; --fake-in-loop runs it on the bot's loop too (the test-suite setup, a pessimistic bound).
Prints markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from bot.responsiveness import freeze_startup_objects, install_yielding_gateway, uninstall_yielding_gateway  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage.tables import Message  # noqa: E402
from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fixtures.discord import running_bot  # noqa: E402

WORDS = ["the", "release", "notes", "need", "a", "review", "before", "friday", "and", "the", "deploy", "pipeline", "is", "flaky", "again"]
STALL_TARGET_S = 0.100
AUTHORS = 20


@dataclass
class StallProbe:
    """Sleeps `interval` again and again on the loop under test; lateness = how long the loop kept it waiting."""

    interval: float = 0.010
    lateness: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            self.lateness.append(max(0.0, loop.time() - before - self.interval))

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            pass

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.lateness)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


class CallbackTimer:
    """Times every callback this thread's loop runs (wall and CPU), grouped by owner, while enabled.

    Wall time includes waiting for a CPU on a busy machine; CPU time is the work itself. A callback is
    the unit that blocks the loop: the probe cannot wake until the callbacks ahead of it finish.
    """

    def __init__(self) -> None:
        self.groups: dict[str, list[float]] = {}  # owner -> [count, cpu total, longest wall, longest cpu]
        self.enabled = False
        self._original = asyncio.events.Handle._run
        self._thread = threading.get_ident()

    def install(self) -> None:
        timer, original = self, self._original

        def timed_run(handle: asyncio.Handle) -> None:
            if not timer.enabled or threading.get_ident() != timer._thread:
                return original(handle)
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(handle)
            finally:
                timer._record(handle, time.perf_counter() - wall, time.thread_time() - cpu)

        asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]

    def uninstall(self) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]

    def _record(self, handle: asyncio.Handle, wall: float, cpu: float) -> None:
        owner = _owner(handle)
        if owner is None:
            return
        entry = self.groups.setdefault(owner, [0, 0.0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += cpu
        entry[2] = max(entry[2], wall)
        entry[3] = max(entry[3], cpu)


def _owner(handle: asyncio.Handle) -> str | None:
    callback = handle._callback  # type: ignore[attr-defined]
    task = getattr(callback, "__self__", None)
    if isinstance(task, asyncio.Task):
        name = task.get_name()
        coro = getattr(task.get_coro(), "__qualname__", "")
        if coro == "StallProbe._run":
            return None
        if coro == "Client.connect":
            return "discord.py gateway reader (parse + dispatch)"
        if name.startswith("discord.py: "):
            return "event listeners (collector on_message, Bot.on_message)"
        if coro.startswith("MessageWriter."):
            return "collector writer (SQLAlchemy work on the loop)"
        if coro.startswith("Collector."):
            return "collector catch-up (history pages, reconciliation)"
        return "other tasks"
    owner = getattr(callback, "__qualname__", "")
    if "_read_ready" in owner:
        return "socket reads (aiohttp frame parsing)"
    return "other callbacks"


class FakeInProcess:
    """The fake Discord in a child process, as Discord is: its JSON encoding and sending never share the bot's
    loop or GIL. Commands go over a pipe; `burst` answers with the time the last event left (same clock)."""

    def __init__(self, authors: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_fake_process, args=(child, authors), name="fake-discord", daemon=True)
        self._process.start()
        info = self._conn.recv()
        self.api_base, self.gateway_url = info["api_base"], info["gateway_url"]
        self.channel, self.authors = info["channel"], info["authors"]

    async def burst(self, count: int) -> float:
        self._conn.send(("burst", count))
        return await asyncio.to_thread(self._conn.recv)

    def close(self) -> None:
        self._conn.send(("stop", 0))
        self._process.join(10)


def _fake_process(conn: Any, authors: int) -> None:
    asyncio.run(_serve_fake(conn, authors))


async def _serve_fake(conn: Any, author_count: int) -> None:
    fake = await FakeDiscord().start()
    guild = fake.add_guild("Bench")
    channel = fake.add_channel(guild, "general")
    authors = [fake.add_member(guild, f"user{i}") for i in range(author_count)]
    conn.send({"api_base": fake.api_base, "gateway_url": fake.gateway_url, "channel": channel, "authors": authors})
    while True:
        command, count = await asyncio.to_thread(conn.recv)
        if command == "stop":
            break
        conn.send(await _burst(fake, channel, authors, count))
    await fake.close()


def message_text(i: int) -> str:
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(6 + i % 30))


async def collector_part(args: argparse.Namespace, folder: Path) -> str:
    url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(db.upgrade, url)
    settings = load_settings(
        {"DATABASE_URL": url, "SMOLCORD_DATA_DIR": str(folder), "DISCORD_TOKEN": "bench-token-" + "x" * 40}, dotenv=False
    )
    if args.fake_in_loop:
        fake = await FakeDiscord().start()
        guild = fake.add_guild("Bench")
        channel = fake.add_channel(guild, "general")
        authors = [fake.add_member(guild, f"user{i}") for i in range(AUTHORS)]

        def send_burst(n: int) -> Awaitable[float]:
            return _burst(fake, channel, authors, n)

        endpoints: Any = fake
    else:
        endpoints = FakeInProcess(AUTHORS)
        channel = endpoints.channel
        send_burst = endpoints.burst
    count = args.messages
    if args.gateway_yield:
        install_yielding_gateway(args.gateway_yield)
    try:
        async with running_bot(settings, endpoints, cogs=None if args.all_cogs else ("collector",)) as bot:
            collector = bot.get_cog("Collector")
            await collector.wait_caught_up()
            if args.gc_freeze:
                freeze_startup_objects()
            saved_before = collector.writer.stats.saved
            probe = StallProbe()
            timer = CallbackTimer()
            timer.install()
            timer.enabled = True
            probe.start()
            await asyncio.sleep(0.2)  # a baseline of probe samples before the burst

            started = time.perf_counter()
            sender = asyncio.ensure_future(send_burst(count))
            while collector.writer.stats.saved - saved_before < count:
                if sender.done() and sender.exception():
                    raise sender.exception()
                await asyncio.sleep(0.005)
            stored_at = time.perf_counter()
            sent_at = await sender
            await probe.stop()
            timer.enabled = False
            timer.uninstall()
            gc.unfreeze()

            async with bot.sessions() as session:
                in_db = await session.scalar(select(func.count()).select_from(Message).where(Message.channel_id == channel))
            assert in_db == count, f"{in_db} of {count} messages stored"
            stats = collector.writer.stats
    finally:
        uninstall_yielding_gateway()
        if isinstance(endpoints, FakeInProcess):
            endpoints.close()
        else:
            await endpoints.close()

    elapsed = stored_at - started
    backend = url.split(":", 1)[0]
    where = "the bot's loop" if args.fake_in_loop else "its own process"
    cogs = "all cogs" if args.all_cogs else "collector cog only"
    tracked = len(gc.get_objects())
    stalls_over = sum(1 for late in probe.lateness if late > STALL_TARGET_S)
    lines = [
        f"| {count:,} MESSAGE_CREATE, {backend}, fake in {where}, {cogs}{', gc.freeze()' if args.gc_freeze else ''}"
        f"{f', gateway yields every {args.gateway_yield} events' if args.gateway_yield else ''} | value |",
        "|---|---:|",
        f"| stored (first event sent -> last row committed) | {elapsed:.2f} s |",
        f"| throughput | {count / elapsed:,.0f} messages/s |",
        f"| fake finished sending after | {sent_at - started:.2f} s |",
        f"| commits (batches) | {stats.batches} (largest {stats.largest_batch} operations) |",
        f"| event-loop stall, max | {probe.percentile(1.0) * 1000:.1f} ms |",
        f"| event-loop stall, p99 / median | {probe.percentile(0.99) * 1000:.1f} / {probe.percentile(0.5) * 1000:.1f} ms |",
        f"| probe wake-ups later than {STALL_TARGET_S * 1000:.0f} ms | {stalls_over} of {len(probe.lateness)} |",
        f"| objects tracked by the garbage collector afterwards | {tracked:,} |",
        "",
        "| who ran on the bot's loop during the burst | callbacks | CPU total | longest (wall) | longest (CPU) |",
        "|---|---:|---:|---:|---:|",
    ]
    for owner, (calls, cpu, longest_wall, longest_cpu) in sorted(timer.groups.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"| {owner} | {calls:,.0f} | {cpu * 1000:,.0f} ms | {longest_wall * 1000:.1f} ms | {longest_cpu * 1000:.1f} ms |")
    return "\n".join(lines)


async def _burst(fake: FakeDiscord, channel: int, authors: list[int], count: int) -> float:
    for i in range(count):
        await fake.send_message(channel, authors[i % len(authors)], message_text(i))
        if i % 20 == 0:
            await asyncio.sleep(0)
    return time.perf_counter()


PARTS: dict[str, Callable[[argparse.Namespace, Path], Awaitable[str]]] = {
    "collector": collector_part,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "parts", nargs="*", choices=list(PARTS), default=list(PARTS), help=f"which parts to run (default: all of {', '.join(PARTS)})"
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default=None, help="default: SQLite in a temporary folder")
    parser.add_argument("--fake-in-loop", action="store_true", help="run the fake Discord on the bot's event loop")
    parser.add_argument("--all-cogs", action="store_true", help="load every cog, as in production (imports torch)")
    parser.add_argument("--gc-freeze", action="store_true", help="bot.responsiveness.freeze_startup_objects() once ready")
    parser.add_argument(
        "--gateway-yield",
        type=int,
        default=0,
        metavar="N",
        help="bot.responsiveness.install_yielding_gateway(N): the reader yields every N events",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for part in args.parts or list(PARTS):
        with tempfile.TemporaryDirectory() as folder:
            print(f"### {part}\n")
            print(asyncio.run(PARTS[part](args, Path(folder))))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
