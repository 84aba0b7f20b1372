"""Integrity benchmarks: crash and restart mid-burst, reconciliation on start, a database outage during a burst.

Usage: python benchmarks/bench_catchup.py crash [--messages 2000] [--seed 1]
       python benchmarks/bench_catchup.py reconcile [--channels 50] [--per-channel 2000]
       python benchmarks/bench_catchup.py outage [--outage-s 10] [--rate 200] [--backend postgresql|sqlite]

The fake Discord runs in its own process (as Discord does), so the stall probe on the bot's loop sees the bot's
work only. `crash`: N messages sent as a burst; at a random point (after 10-90 % of them are stored) the bot
"crashes": what its writer had not committed is dropped and the client closed without flushing, as SIGKILL would;
the burst goes on; a new bot starts with the default settings and closes the gap while 200 more live messages
arrive. Reports stored-exactly-once, time to close the gap, messages/s and the longest loop stall during
catch-up. `reconcile`: a server with `--channels` channels of `--per-channel` stored messages each (all within
SMOLCORD_RECONCILE_HOURS); while the bot is down 1 % are edited and 1 % deleted; the next start reconciles them,
with the fake answering 429 (`retry_after`) beyond 50 requests per second. `outage`: live messages at `--rate`
per second while the database is stopped (PostgreSQL: a throwaway server of the benchmark's own, stopped with
pg_ctl) or locked (SQLite: BEGIN EXCLUSIVE from another connection) for `--outage-s` seconds.
Prints markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import random
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_ingest import CallbackTimer, StallProbe, message_text  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.settings import load_settings  # noqa: E402
from bot.storage import db  # noqa: E402
from bot.storage.tables import Message  # noqa: E402
from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.fixtures.discord import running_bot, simulate_kill  # noqa: E402

AUTHORS = 20
RATE_LIMIT = (50, 1.0)  # Discord's global limit: 50 requests per second


# ---------------------------------------------------------------------------------------------- the fake, elsewhere


class RemoteFake:
    """The fake Discord in a child process, driven over a pipe (`call` runs a coroutine of the child's)."""

    def __init__(self, channels: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._lock = threading.Lock()
        self._process = context.Process(target=_child, args=(child, channels), name="fake-discord", daemon=True)
        self._process.start()
        info = self._conn.recv()
        self.api_base, self.gateway_url = info["api_base"], info["gateway_url"]
        self.guild, self.channels, self.authors = info["guild"], info["channels"], info["authors"]

    def _call(self, command: str, *args: Any) -> Any:
        with self._lock:
            self._conn.send((command, args))
            ok, value = self._conn.recv()
        if not ok:
            raise RuntimeError(f"fake Discord: {value}")
        return value

    async def call(self, command: str, *args: Any) -> Any:
        return await asyncio.to_thread(self._call, command, *args)

    def close(self) -> None:
        try:
            self._call("stop")
        except (EOFError, BrokenPipeError):
            pass
        self._process.join(10)


def _child(conn: Any, channel_count: int) -> None:
    asyncio.run(_serve(conn, channel_count))


async def _serve(conn: Any, channel_count: int) -> None:
    fake = await FakeDiscord().start()
    guild = fake.add_guild("Bench")
    channels = [fake.add_channel(guild, f"channel-{i}") for i in range(channel_count)]
    authors = [fake.add_member(guild, f"user{i}") for i in range(AUTHORS)]
    conn.send({"api_base": fake.api_base, "gateway_url": fake.gateway_url, "guild": guild, "channels": channels, "authors": authors})

    async def burst(channel: int, count: int, rate: float = 0.0, offset: int = 0) -> list[int]:
        sent, started = [], time.perf_counter()
        for i in range(count):
            message = await fake.send_message(channel, authors[i % len(authors)], message_text(offset + i))
            sent.append(int(message["id"]))
            if rate:
                delay = started + (i + 1) / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            elif i % 20 == 0:
                await asyncio.sleep(0)
        return sent

    async def history(channel: int, count: int) -> list[int]:
        made = fake.add_history(channel, [(authors[i % len(authors)], message_text(i)) for i in range(count)])
        return [int(m["id"]) for m in made]

    async def change_while_down(fraction: float, seed: int) -> tuple[int, int]:
        rng = random.Random(seed)
        edited = deleted = 0
        for channel in channels:
            ids = sorted(fake.messages[channel])
            for message_id in rng.sample(ids, max(1, int(len(ids) * fraction))):
                fake.edit_in_history(channel, message_id, f"edited while down {message_id}")
                edited += 1
            remaining = sorted(set(fake.messages[channel]))
            gone = rng.sample(remaining, max(1, int(len(remaining) * fraction)))
            fake.delete_from_history(channel, gone)
            deleted += len(gone)
        return edited, deleted

    async def ids(channel: int) -> list[int]:
        return sorted(fake.messages[channel])

    async def contents(channel: int) -> dict[int, str]:
        return {i: m["content"] for i, m in fake.messages[channel].items()}

    async def limit_rate(requests: int, per_seconds: float) -> None:
        fake.limit_rate(r"^/channels/\d+/messages$", requests=requests, per_seconds=per_seconds)

    async def counters() -> dict[str, int]:
        return {
            "requests": len(fake.requests),
            "rate_limited": fake.rate_limited,
            "history_requests": len(fake.find_requests("GET", r"^/channels/\d+/messages$")),
        }

    async def history_times(since: int) -> list[float]:
        return [r.at for r in fake.find_requests("GET", r"^/channels/\d+/messages$", since=since)]

    commands = {
        "contents": contents,
        "history_times": history_times,
        "burst": burst,
        "history": history,
        "change_while_down": change_while_down,
        "ids": ids,
        "limit_rate": limit_rate,
        "counters": counters,
    }
    running: set[asyncio.Task] = set()
    while True:
        command, args = await asyncio.to_thread(conn.recv)
        if command == "stop":
            conn.send((True, None))
            break

        async def run(command: str = command, args: tuple = args) -> None:
            try:
                conn.send((True, await commands[command](*args)))
            except Exception as exc:  # report it to the benchmark instead of hanging it
                conn.send((False, repr(exc)))

        task = asyncio.create_task(run())
        running.add(task)
        task.add_done_callback(running.discard)
    await fake.close()


# ---------------------------------------------------------------------------------------------- helpers


def bench_settings(folder: Path, url: str, **overrides: str):
    env = {"DATABASE_URL": url, "SMOLCORD_DATA_DIR": str(folder), "DISCORD_TOKEN": "bench-token-" + "x" * 40}
    env.update(overrides)
    return load_settings(env, dotenv=False)


async def stored(bot, channel: int | None = None) -> tuple[list[int], int]:
    async with bot.sessions() as session:
        query = select(Message.id).order_by(Message.id)
        counting = select(func.count()).select_from(Message)
        if channel is not None:
            query, counting = query.where(Message.channel_id == channel), counting.where(Message.channel_id == channel)
        return list(await session.scalars(query)), int(await session.scalar(counting) or 0)


class TimedProbe(StallProbe):
    """A StallProbe that remembers when each sample was taken, to look at one interval afterwards."""

    def __init__(self) -> None:
        super().__init__()
        self.samples: list[tuple[float, float]] = []

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            late = max(0.0, loop.time() - before - self.interval)
            self.lateness.append(late)
            self.samples.append((time.perf_counter(), late))

    def worst_between(self, start: float, end: float) -> float:
        return max((late for at, late in self.samples if start <= at <= end), default=0.0)


# ---------------------------------------------------------------------------------------------- parts


async def crash_part(args: argparse.Namespace, folder: Path) -> str:
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(db.upgrade, url)
    settings = bench_settings(folder, url)  # the defaults: no catch-up limit
    fake = RemoteFake(1)
    channel = fake.channels[0]
    rng = random.Random(args.seed)
    crash_after = int(args.messages * rng.uniform(0.1, 0.9))
    try:
        async with running_bot(settings, fake, cogs=("collector",)) as bot:
            await bot.get_cog("Collector").wait_caught_up()
            sender = asyncio.ensure_future(fake.call("burst", channel, args.messages))
            while len((await stored(bot, channel))[0]) < crash_after:
                await asyncio.sleep(0.01)
            stored_before = len((await stored(bot, channel))[0])
            lost_writes = await simulate_kill(bot)
        await sender
        requests_before = (await fake.call("counters"))["requests"]
        probe = TimedProbe()
        probe.start()
        timer = CallbackTimer()
        timer.install()
        timer.enabled = True
        started = time.perf_counter()
        async with running_bot(settings, fake, cogs=("collector",)) as bot:
            collector = bot.get_cog("Collector")
            live = asyncio.ensure_future(fake.call("burst", channel, 200, 100.0, args.messages))
            fetched = await collector.wait_caught_up()
            closed_at = time.perf_counter()
            await live
            await collector.wait_caught_up()
            await probe.stop()
            timer.enabled = False
            timer.uninstall()
            rows, count = await stored(bot, channel)
            requests = collector.stats.requests
        everything = await fake.call("ids", channel)
        pages = await fake.call("history_times", requests_before)
    finally:
        fake.close()
    exact = count == len(set(rows)) == len(everything) and rows == everything
    elapsed = closed_at - started
    return "\n".join(
        [
            f"| crash after {stored_before:,} of {args.messages:,} stored (seed {args.seed}), SQLite, default settings | value |",
            "|---|---:|",
            f"| writes lost from the queue by the crash (fetched again) | {lost_writes:,} |",
            f"| stored exactly once after the restart (+200 live during catch-up) | {'yes' if exact else 'NO'}: {count:,} rows for {len(everything):,} messages |",
            f"| gap closed (restart -> catch-up done, incl. connecting) | {elapsed:.2f} s |",
            f"| fetched by catch-up / history requests | {fetched:,} / {requests:,} |",
            f"| catch-up throughput | {fetched / (closed_at - pages[0]):,.0f} messages/s |",
            f"| catch-up itself (first history request -> gap closed) | {closed_at - pages[0]:.2f} s |",
            f"| **longest loop stall during catch-up** (+ 200 live messages) | **{probe.worst_between(pages[0], closed_at) * 1000:.1f} ms** |",
            f"| longest loop stall including the bot's start (login, cog loading) | {probe.percentile(1.0) * 1000:.1f} ms |",
            "",
            "| who ran on the bot's loop (restart to gap closed) | callbacks | CPU total | longest (wall) | longest (CPU) |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {owner} | {calls:,.0f} | {cpu * 1000:,.0f} ms | {wall * 1000:.1f} ms | {longest_cpu * 1000:.1f} ms |"
                for owner, (calls, cpu, wall, longest_cpu) in sorted(timer.groups.items(), key=lambda kv: -kv[1][1])
            ),
        ]
    )


async def reconcile_part(args: argparse.Namespace, folder: Path) -> str:
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(db.upgrade, url)
    fake = RemoteFake(args.channels)
    try:
        for channel in fake.channels:
            await fake.call("history", channel, args.per_channel)
        # First start: everything is new to the bot, so it backfills all of it (the setup, not measured).
        setup = bench_settings(folder, url, SMOLCORD_BACKFILL_LIMIT=str(args.per_channel))
        async with running_bot(setup, fake, cogs=("collector",), ready_timeout=60) as bot:
            await bot.get_cog("Collector").wait_caught_up()
            _, total = await stored(bot)
        edited, deleted = await fake.call("change_while_down", 0.01, 7)
        await fake.call("limit_rate", *RATE_LIMIT)
        before = await fake.call("counters")
        probe = TimedProbe()
        probe.start()
        timer = CallbackTimer()
        timer.install()
        timer.enabled = True
        started = time.perf_counter()
        async with running_bot(bench_settings(folder, url), fake, cogs=("collector",), ready_timeout=60) as bot:
            collector = bot.get_cog("Collector")
            await collector.wait_caught_up()
            finished = time.perf_counter()
            elapsed = finished - started
            await probe.stop()
            timer.enabled = False
            timer.uninstall()
            async with bot.sessions() as session:
                contents = dict((await session.execute(select(Message.id, Message.content))).all())
            stats = collector.stats
        after = await fake.call("counters")
        pages = await fake.call("history_times", before["requests"])
        on_discord = {}
        for channel in fake.channels:
            on_discord.update(await fake.call("contents", channel))
    finally:
        fake.close()
    count = len(contents)
    differing = sum(1 for i, text in on_discord.items() if contents.get(i) != text) + len(set(contents) - set(on_discord))
    history_calls = after["history_requests"] - before["history_requests"]
    return "\n".join(
        [
            f"| {args.channels} channels, {total:,} stored messages, all inside the 48 h window; {edited:,} edits and {deleted:,} deletes while down (some edited ones then deleted) | value |",
            "|---|---:|",
            f"| start -> reconciled (incl. connecting) | {elapsed:.1f} s |",
            f"| history requests (pages of 100) | {history_calls:,} |",
            f"| 429 answers from the fake (50 requests/s), retried by discord.py after `retry_after` | {after['rate_limited'] - before['rate_limited']:,} |",
            f"| effective request rate | {history_calls / elapsed:.1f} requests/s |",
            f"| edits applied / deletes applied | {stats.edited:,} / {stats.deleted:,} |",
            f"| stored afterwards equals Discord's history (ids and text) | {'yes' if differing == 0 else f'NO: {differing} differ'} ({count:,} rows) |",
            f"| **longest loop stall during reconciliation** (first history request -> done) | **{probe.worst_between(pages[0], finished) * 1000:.1f} ms** |",
            f"| longest loop stall including the bot's start | {probe.percentile(1.0) * 1000:.1f} ms |",
            "",
            "| who ran on the bot's loop (start to reconciled) | callbacks | CPU total | longest (wall) | longest (CPU) |",
            "|---|---:|---:|---:|---:|",
            *(
                f"| {owner} | {calls:,.0f} | {cpu * 1000:,.0f} ms | {wall * 1000:.1f} ms | {longest_cpu * 1000:.1f} ms |"
                for owner, (calls, cpu, wall, longest_cpu) in sorted(timer.groups.items(), key=lambda kv: -kv[1][1])
            ),
        ]
    )


async def outage_part(args: argparse.Namespace, folder: Path) -> str:
    server = None
    if args.backend == "postgresql":
        import os
        import shutil

        from tests.test_integrity_e2e import ThrowawayPostgres

        pg_folder = Path(tempfile.mkdtemp(prefix="smolcord-bench-pg-"))
        server = ThrowawayPostgres(pg_folder / "data")
        if os.geteuid() == 0:
            shutil.chown(pg_folder, "postgres")
        server.init()
        server.start()
        url = server.url
    else:
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    await asyncio.to_thread(db.upgrade, url)
    fake = RemoteFake(1)
    channel = fake.channels[0]
    total = int(args.rate * (args.outage_s + 6))
    try:
        async with running_bot(bench_settings(folder, url), fake, cogs=("collector",)) as bot:
            collector = bot.get_cog("Collector")
            await collector.wait_caught_up()
            sender = asyncio.ensure_future(fake.call("burst", channel, total, float(args.rate)))
            await asyncio.sleep(3)
            release = threading.Event()
            if server is not None:
                await asyncio.to_thread(server.stop)
                holder = None
            else:
                locked = threading.Event()

                def hold() -> None:
                    connection = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
                    connection.execute("BEGIN EXCLUSIVE")
                    locked.set()
                    release.wait()
                    connection.execute("ROLLBACK")
                    connection.close()

                holder = threading.Thread(target=hold)
                holder.start()
                await asyncio.to_thread(locked.wait)
            down_at = time.perf_counter()
            await asyncio.sleep(args.outage_s)
            if server is not None:
                await asyncio.to_thread(server.start)
            else:
                release.set()
                await asyncio.to_thread(holder.join)
            up_at = time.perf_counter()
            sent = await sender
            await collector.wait_caught_up()
            drained_at = time.perf_counter()
            rows, count = await stored(bot, channel)
            stats = collector.writer.stats
    finally:
        fake.close()
        if server is not None:
            try:
                server.stop()
            except Exception:
                pass
    lost = len(set(sent) - set(rows))
    return "\n".join(
        [
            f"| {args.outage_s:.0f} s {'PostgreSQL stopped' if server else 'SQLite file locked (BEGIN EXCLUSIVE)'} during {len(sent):,} messages at {args.rate}/s | value |",
            "|---|---:|",
            f"| messages lost | **{lost}** ({count:,} rows for {len(sent):,} sent, order {'kept' if rows == sorted(sent) else 'NOT kept'}) |",
            f"| outage | {up_at - down_at:.1f} s |",
            f"| writes waiting at most (queue peak) | {stats.peak_pending:,} |",
            f"| commits retried | {stats.retries:,} |",
            f"| messages not queued (queue full) and fetched from history afterwards | {stats.dropped_saves:,} |",
            f"| database back -> everything stored | {drained_at - up_at:.1f} s |",
        ]
    )


PARTS = {"crash": crash_part, "reconcile": reconcile_part, "outage": outage_part}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", choices=list(PARTS), default=list(PARTS))
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--per-channel", type=int, default=2000)
    parser.add_argument("--outage-s", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    for part in args.parts:
        with tempfile.TemporaryDirectory() as folder:
            print(f"### {part}\n")
            print(asyncio.run(PARTS[part](args, Path(folder))))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
