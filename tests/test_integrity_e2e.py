"""Nothing lost, nothing kept that was deleted: crashes, downtime edits and deletes, database outages, end to end.

The real bot runs against the fake Discord; a "crash" drops what the writer had not committed and closes the
client without flushing, as a SIGKILL would (the database keeps only what was committed).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agents.summarize.cache import CachedChunk
from bot.storage import db
from bot.storage.messages import known_gaps, load_window
from bot.storage.summaries import count_chunks, put_chunks
from bot.storage.tables import Channel, Message
from tests.fixtures.discord import disk_after_the_crash, eventually, running_bot, simulate_kill, stack_dump_after

COLLECTOR = ("collector",)

# Each test normally takes under 20 s. A bot "killed" in this process (simulate_kill) can leave a SQLite write
# transaction open in an abandoned connection, which a real SIGKILL would release: the restarted bot gets a copy of
# the files as the disk holds them (disk_after_the_crash) instead of waiting on that lock, which it once did for
# minutes. A stuck test still fails after 75 s, with every task's stack printed at 60 s.
pytestmark = [pytest.mark.timeout(75)]


@pytest.fixture(autouse=True)
async def _dump_stacks_before_the_timeout():
    """A hang prints every task's stack at 60 s, before pytest-timeout fails the test at 75 s."""
    async with stack_dump_after(60):
        yield


def ids(messages) -> list[int]:
    return [int(m["id"]) for m in messages]


async def stored_rows(bot, channel_id: int) -> tuple[list[int], int]:
    """The stored ids of a channel in order, and the row count (equal lengths: nothing stored twice)."""
    async with bot.sessions() as session:
        rows = list(await session.scalars(select(Message.id).where(Message.channel_id == channel_id).order_by(Message.id)))
        count = int(await session.scalar(select(func.count()).select_from(Message).where(Message.channel_id == channel_id)))
    return rows, count


async def received(bot, *messages) -> None:
    """Wait until the bot has stored these messages (a send returns once the event is on the wire, not processed)."""
    wanted = {int(m["id"]) for m in messages}

    async def check():
        async with bot.sessions() as session:
            return len(list(await session.scalars(select(Message.id).where(Message.id.in_(wanted))))) == len(wanted)

    await eventually(check, timeout=10)


async def _at_least(bot, channel_id: int, count: int) -> bool:
    rows, _ = await stored_rows(bot, channel_id)
    return len(rows) >= count


async def send_in_background(fake, channel, author, texts) -> asyncio.Task:
    return asyncio.create_task(fake.send_burst(channel, author, texts, yield_every=5))


async def test_a_crash_in_the_middle_of_a_burst_loses_nothing_after_the_restart(fake_discord, small_server, start_bot, bot_settings):
    general, alice = small_server.general, small_server.alice
    settings = dataclasses.replace(bot_settings, catchup_limit=0)
    async with start_bot(cogs=COLLECTOR, settings=settings) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        sender = await send_in_background(fake_discord, general, alice, (f"burst {i}" for i in range(2000)))
        await eventually(lambda: _at_least(bot, general, 400), timeout=20)
        await simulate_kill(bot)
    # The burst goes on while the bot is down: the rest is only in Discord's history.
    await sender
    stored_while_up, _ = await stored_rows(bot, general)
    assert 0 < len(stored_while_up) < 2000

    async with start_bot(cogs=COLLECTOR, settings=disk_after_the_crash(settings)) as bot:
        collector = bot.get_cog("Collector")
        # Live messages during the catch-up neither use up a limit nor hide the gap.
        live = await fake_discord.send_burst(general, alice, (f"live {i}" for i in range(50)))
        await collector.wait_caught_up()
        rows, count = await stored_rows(bot, general)
    everything = ids(fake_discord.history(general))
    assert count == len(rows) == len(everything) == 2050
    assert rows == sorted(everything)
    assert set(ids(live)) <= set(rows)


async def test_a_crash_during_catch_up_resumes_from_where_it_stopped(fake_discord, small_server, start_bot, bot_settings):
    general = small_server.general
    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        first = await fake_discord.send_message(general, small_server.alice, "before the outage")
        await received(bot, first)
    missed = fake_discord.add_history(general, [(small_server.bob, f"missed {i}") for i in range(1000)])
    requests_before = len(fake_discord.requests)

    async with start_bot(cogs=COLLECTOR) as bot:
        collector = bot.get_cog("Collector")
        await eventually(
            lambda: len(fake_discord.find_requests("GET", rf"/channels/{general}/messages$", since=requests_before)) >= 4, timeout=10
        )
        await collector.writer.flush()
        await simulate_kill(bot)
    stored_first, _ = await stored_rows(bot, general)
    async with bot.sessions() as session:
        cursor = (await session.get(Channel, general)).collected_up_to
    # The cursor was moved as pages were written: never past what is stored.
    assert cursor is not None and cursor in stored_first and cursor > int(first["id"])

    requests_before = len(fake_discord.requests)
    no_reconcile = dataclasses.replace(disk_after_the_crash(bot_settings), reconcile_hours=0)
    async with start_bot(cogs=COLLECTOR, settings=no_reconcile) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        rows, count = await stored_rows(bot, general)
    assert set(ids(missed)) - set(rows) == set() and int(first["id"]) in rows
    assert count == len(rows) == 1001
    # Resumed after the cursor: the pages written before the crash were not read again.
    pages = fake_discord.find_requests("GET", rf"/channels/{general}/messages$", since=requests_before)
    remaining = sum(1 for i in ids(missed) if i > cursor)
    assert len(pages) <= remaining // 100 + 2


async def test_a_catch_up_limit_leaves_a_known_gap_that_is_reported_and_closed_on_the_next_start(
    fake_discord, small_server, start_bot, bot_settings
):
    general = small_server.general
    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        await received(bot, await fake_discord.send_message(general, small_server.alice, "before"))
    missed = fake_discord.add_history(general, [(small_server.bob, f"missed {i}") for i in range(450)])
    limited = dataclasses.replace(bot_settings, catchup_limit=200)

    async with start_bot(cogs=("collector", "errors", "settings"), settings=limited) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        rows, _ = await stored_rows(bot, general)
        async with bot.sessions() as session:
            gaps = await known_gaps(session, small_server.guild)
        shown = await (await fake_discord.interact(general, small_server.owner, "settings show")).reply()
        assert "Known gaps in stored history:** #general: " in shown.content and "not fetched yet" in shown.content
    assert 200 <= len(rows) - 1 < 450
    assert [g.channel_id for g in gaps] == [general]
    assert "#general" in gaps[0].describe() and "not fetched yet" in gaps[0].describe()
    # The gap is the oldest part after what is stored: nothing in the middle is skipped.
    assert rows[1:] == ids(missed)[: len(rows) - 1]

    async with start_bot(cogs=COLLECTOR, settings=limited) as bot:
        await bot.get_cog("Collector").wait_caught_up()
    async with start_bot(cogs=COLLECTOR, settings=limited) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        rows, count = await stored_rows(bot, general)
        async with bot.sessions() as session:
            assert await known_gaps(session, small_server.guild) == []
    assert count == len(rows) == 451 and rows[1:] == ids(missed)


async def test_edits_and_deletes_made_while_the_bot_was_down_are_applied_and_never_reach_a_summary(fake_discord, small_server, start_bot):
    general = small_server.general
    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        sent = [await fake_discord.send_message(general, small_server.alice, f"note {i}") for i in range(20)]
        await received(bot, *sent)
        async with bot.sessions.begin() as session:
            # A cached summary that read the messages about to be deleted and edited, and one that read neither.
            await put_chunks(
                session,
                [
                    CachedChunk("reads-deleted", "s1", tuple(ids(sent[:5])), "extractive", general),
                    CachedChunk("reads-edited", "s2", tuple(ids(sent[5:10])), "extractive", general),
                    CachedChunk("untouched", "s3", tuple(ids(sent[15:])), "extractive", general),
                ],
            )
    deleted, edited = ids(sent[:5]), ids(sent[5:10])
    fake_discord.delete_from_history(general, deleted)
    for message_id in edited:
        fake_discord.edit_in_history(general, message_id, f"changed {message_id}")

    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        async with bot.sessions() as session:
            window = await load_window(session, general)
            assert await count_chunks(session, general) == 1
    by_id = {r.id: r for r in window}
    assert not set(deleted) & set(by_id)
    assert all(by_id[i].content == f"changed {i}" and by_id[i].edited_at is not None for i in edited)
    assert all(by_id[i].content == f"note {n}" for n, i in enumerate(ids(sent[10:]), 10))


async def test_archived_threads_are_caught_up_and_reconciled(fake_discord, small_server, start_bot):
    thread = fake_discord.add_thread(small_server.general, "release-plan", owner_id=small_server.alice)
    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        seen = [await fake_discord.send_message(thread, small_server.alice, f"plan {i}") for i in range(3)]
        await received(bot, *seen)
    # While the bot is down: more posts, one deleted, then the thread is archived (it is not in GUILD_CREATE any more).
    missed = fake_discord.add_history(thread, [(small_server.bob, "shipped it"), (small_server.alice, "closing")])
    fake_discord.delete_from_history(thread, [int(seen[0]["id"])])
    fake_discord.archive_thread(thread)

    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        rows, count = await stored_rows(bot, thread)
    assert rows == ids(seen[1:]) + ids(missed) and count == 4


# ---------------------------------------------------------------------------------------------- database outages


async def test_a_locked_sqlite_file_loses_no_message_and_keeps_order(fake_discord, small_server, start_bot, bot_settings, monkeypatch):
    # The bot's SQLite connections give up on a lock after 10 s; here after 0.2 s, so the writer's retry is what holds.
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    general, alice = small_server.general, small_server.alice
    path = bot_settings.database_url.split("///", 1)[1]
    async with start_bot(cogs=COLLECTOR) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        keep = await fake_discord.send_message(general, alice, "edited during the lock")
        doomed = await fake_discord.send_message(general, alice, "deleted during the lock")
        await received(bot, keep, doomed)
        locked, release = threading.Event(), threading.Event()

        def hold_lock() -> None:
            connection = sqlite3.connect(path, isolation_level=None)
            connection.execute("BEGIN EXCLUSIVE")
            locked.set()
            release.wait(10)
            connection.execute("ROLLBACK")
            connection.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        await asyncio.to_thread(locked.wait, 5)
        burst = await fake_discord.send_burst(general, alice, (f"during {i}" for i in range(300)))
        await fake_discord.edit_message(general, int(keep["id"]), content="edited after all")
        await fake_discord.delete_message(general, int(doomed["id"]))
        await eventually(lambda: collector.writer.stats.retries >= 2, timeout=10)
        await asyncio.sleep(2)
        release.set()
        await asyncio.to_thread(holder.join)
        await collector.wait_caught_up()
        rows, count = await stored_rows(bot, general)
        async with bot.sessions() as session:
            kept = await session.get(Message, int(keep["id"]))
    assert count == len(rows) == 301 and set(ids(burst)) <= set(rows) and int(doomed["id"]) not in rows
    assert kept.content == "edited after all"  # the edit queued after the save was applied after it
    assert collector.writer.stats.failed_operations == 0


async def test_a_full_write_queue_never_blocks_the_gateway_and_its_channels_are_fetched_again(
    fake_discord, small_server, start_bot, bot_settings, monkeypatch
):
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    general, alice = small_server.general, small_server.alice
    path = bot_settings.database_url.split("///", 1)[1]
    small_queue = dataclasses.replace(bot_settings, write_queue_limit=1000)
    async with start_bot(cogs=COLLECTOR, settings=small_queue) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            burst = await fake_discord.send_burst(general, alice, (f"overflow {i}" for i in range(2500)))
            await eventually(lambda: collector.writer.stats.dropped_saves > 0, timeout=10)
            assert collector.writer.pending <= 1000 + 10  # bounded (edits/deletes may pass the bound)
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        await collector.wait_caught_up()
        rows, count = await stored_rows(bot, general)
    assert count == len(rows) == 2500 and rows == ids(burst)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [int(x) for x in p.parent.name.split(".") if x.isdigit()])
    found = [c for c in candidates if (c / "pg_ctl").exists()]
    if found:
        return found[-1]
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class ThrowawayPostgres:
    """A PostgreSQL server of this test's own (port and folder), so stopping it disturbs no other test."""

    def __init__(self, folder: Path) -> None:
        self.bin = _postgres_bin()
        self.folder = folder
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")

    def init(self) -> None:
        self.folder.mkdir()
        if self.as_postgres:
            shutil.chown(self.folder, "postgres")
        self._run("initdb", "-D", str(self.folder), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder),
            "-o",
            f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def throwaway_postgres():
    if _postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a postgres user to run a PostgreSQL server as")
    # Not under pytest's tmp_path: as root the server runs as `postgres`, which cannot enter root's folders.
    folder = Path(tempfile.mkdtemp(prefix="smolcord-outage-pg-"))
    server = ThrowawayPostgres(folder / "data")
    if server.as_postgres:
        shutil.chown(folder, "postgres")
    try:
        server.init()
        server.start()
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(folder, ignore_errors=True)


async def test_a_postgresql_restart_during_a_burst_loses_no_message(fake_discord, small_server, bot_settings, throwaway_postgres):
    await asyncio.to_thread(db.upgrade, throwaway_postgres.url)
    settings = dataclasses.replace(bot_settings, database_url=throwaway_postgres.url)
    general, alice = small_server.general, small_server.alice
    async with running_bot(settings, fake_discord, cogs=COLLECTOR) as bot:
        collector = bot.get_cog("Collector")
        await collector.wait_caught_up()
        before = await fake_discord.send_burst(general, alice, (f"before {i}" for i in range(200)))
        await received(bot, before[-1])
        await asyncio.to_thread(throwaway_postgres.stop)
        during = await fake_discord.send_burst(general, alice, (f"during {i}" for i in range(600)))
        await eventually(lambda: collector.writer.stats.retries >= 1, timeout=10)
        await asyncio.sleep(6)  # ~7 s down, with messages arriving all along
        during += await fake_discord.send_burst(general, alice, (f"late {i}" for i in range(200)))
        await asyncio.to_thread(throwaway_postgres.start)
        await asyncio.wait_for(collector.wait_caught_up(), 60)
        rows, count = await stored_rows(bot, general)
    assert count == len(rows) == 1000 and rows == ids(before) + ids(during)
    assert collector.writer.stats.failed_operations == 0


# ---------------------------------------------------------------------------------------------- the digest's crash window


async def _digest_catch_up_done(bot) -> bool:
    task = bot.get_cog("Digest")._catch_up_task
    return task is not None and task.done()


async def test_a_crash_after_posting_the_digest_but_before_recording_it_never_posts_it_twice(
    fake_discord, small_server, start_bot, bot_settings, monkeypatch
):
    from bot import digest as scheduled
    from bot.services import digest as digests
    from tests.test_digest_e2e import (
        COGS,
        digest_messages,
        earlier_chat,
        posts,
        recent_schedule,
        set_digest,
        settings_for,
        use_extractive,
    )

    settings = settings_for(bot_settings)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        await earlier_chat(fake_discord, bot, small_server)
        await use_extractive(bot, small_server.guild)
        await set_digest(fake_discord, small_server, recent_schedule())

        async def crash_before_recording(*args, **kwargs):
            raise RuntimeError("killed between posting and recording")

        monkeypatch.setattr(digests, "confirm_day", crash_before_recording)
        assert await scheduled.run_scheduled_digest(small_server.guild) == "failed"
        monkeypatch.undo()
        assert len(digest_messages(fake_discord, small_server.general)) == 1
        assert [message_id for _, message_id in await posts(bot)] == [None]  # claimed, not recorded

    async with start_bot(cogs=COGS, settings=settings) as bot:
        await eventually(lambda: _digest_catch_up_done(bot))
        posted = digest_messages(fake_discord, small_server.general)
        assert len(posted) == 1
        assert [message_id for _, message_id in await posts(bot)] == [int(posted[0].message["id"])]
        assert (await scheduled.post_digest(bot, small_server.guild)).status == "already posted"
    assert len(digest_messages(fake_discord, small_server.general)) == 1


async def test_a_crash_after_claiming_the_digest_but_before_posting_it_posts_it_on_restart(
    fake_discord, small_server, start_bot, bot_settings, monkeypatch
):
    from bot import digest as scheduled
    from bot.services import digest as digests
    from tests.test_digest_e2e import (
        COGS,
        digest_messages,
        earlier_chat,
        posts,
        recent_schedule,
        set_digest,
        settings_for,
        use_extractive,
    )

    settings = settings_for(bot_settings)
    async with start_bot(cogs=COGS, settings=settings) as bot:
        await earlier_chat(fake_discord, bot, small_server)
        await use_extractive(bot, small_server.guild)
        await set_digest(fake_discord, small_server, recent_schedule())

        async def killed(*args, **kwargs):
            raise RuntimeError("killed while building the digest")

        async def no_cleanup(*args, **kwargs):
            return None  # a killed process runs no clean-up

        monkeypatch.setattr(scheduled, "build_digest", killed)
        monkeypatch.setattr(digests, "release_day", no_cleanup)
        assert await scheduled.run_scheduled_digest(small_server.guild) == "failed"
        monkeypatch.undo()
        assert digest_messages(fake_discord, small_server.general) == []
        assert [message_id for _, message_id in await posts(bot)] == [None]

    async with start_bot(cogs=COGS, settings=settings) as bot:
        await eventually(lambda: _digest_catch_up_done(bot))
        posted = digest_messages(fake_discord, small_server.general)
        assert len(posted) == 1
        assert [message_id for _, message_id in await posts(bot)] == [int(posted[0].message["id"])]


async def test_catch_up_waits_out_discords_rate_limit_and_still_closes_the_gap(fake_discord, small_server, start_bot):
    general = small_server.general
    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        await received(bot, await fake_discord.send_message(general, small_server.alice, "before"))
    missed = fake_discord.add_history(general, [(small_server.bob, f"missed {i}") for i in range(600)])
    fake_discord.limit_rate(r"^/channels/\d+/messages$", requests=3, per_seconds=0.3)

    async with start_bot(cogs=COLLECTOR) as bot:
        await bot.get_cog("Collector").wait_caught_up()
        rows, count = await stored_rows(bot, general)
    assert fake_discord.rate_limited > 0  # it was told to wait...
    assert count == len(rows) == 601 and rows[1:] == ids(missed)  # ...waited, and lost nothing
    answered = [r for r in fake_discord.requests if r.path.endswith("/messages") and r.method == "GET"]
    assert all(r.status in (200, 429) for r in answered)


async def test_a_summary_right_after_a_restart_waits_for_the_catch_up_and_never_shows_text_deleted_meanwhile(
    fake_discord, small_server, start_bot, bot_settings, monkeypatch
):
    import bot.commands.context
    import bot.storage.messages

    general = small_server.general
    cogs = ("collector", "errors", "summaries")
    settings = dataclasses.replace(bot_settings, user_cooldown_s=0.0)
    async with start_bot(cogs=COLLECTOR) as first:
        await first.get_cog("Collector").wait_caught_up()
        sent = [await fake_discord.send_message(general, small_server.alice, f"plan {i}: ship on friday") for i in range(6)]
        secret = await fake_discord.send_message(general, small_server.bob, "the staging password is hunter2")
        await received(first, *sent, secret)
    fake_discord.delete_from_history(general, [int(secret["id"])])  # deleted while the bot was down

    # The restarted bot's catch-up is held (where it reads the retention) until the test lets it go. Extensions
    # are loaded as fresh modules, so the storage function they import is where it can be held.
    release = asyncio.Event()
    real_retention = bot.storage.messages.guild_retention_days

    async def held_retention(*args, **kwargs):
        await release.wait()
        return await real_retention(*args, **kwargs)

    monkeypatch.setattr(bot.storage.messages, "guild_retention_days", held_retention)
    monkeypatch.setattr(bot.commands.context, "HISTORY_WAIT_S", 0.5)
    async with start_bot(cogs=cogs, settings=settings) as restarted:
        early = await (await fake_discord.interact(general, small_server.alice, "summarize", {"model": "extractive"})).reply(timeout=30)
        assert "catching up" in early.content and not early.embeds
        release.set()
        await restarted.get_cog("Collector").wait_caught_up()
        later = await (await fake_discord.interact(general, small_server.alice, "summarize", {"model": "extractive"})).reply(timeout=30)
        shown = " ".join(str(embed) for embed in later.embeds)
        assert later.embeds and "hunter2" not in shown and "password" not in shown
