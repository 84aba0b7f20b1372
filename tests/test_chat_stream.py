"""Streaming a reply into Discord (bot/chat_stream.py): the edit throttle and the writer, with a fake clock and fake
Discord messages."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import discord
import pytest

from bot.chat_output import asker_only, split_message
from bot.chat_stream import DiscordReplyWriter, EditThrottle

ASKER = 42


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds  # simulated time: sleeping moves the clock
        await asyncio.sleep(0)


class FakeMessage:
    def __init__(self, log: list, clock: Clock, content: str) -> None:
        self.log, self.clock, self.content = log, clock, content
        self.deleted = False
        log.append(("send", clock.now, content, None))

    async def edit(self, *, content: str, allowed_mentions: discord.AllowedMentions) -> None:
        self.content = content
        self.log.append(("edit", self.clock.now, content, allowed_mentions))

    async def delete(self) -> None:
        self.deleted = True
        self.log.append(("delete", self.clock.now, self.content, None))


def make_stream(clock: Clock, log: list, **kw) -> DiscordReplyWriter:
    async def send(text: str) -> FakeMessage:
        return FakeMessage(log, clock, text)

    stream = DiscordReplyWriter(
        send,
        send,
        allowed_mentions=asker_only(discord.Object(ASKER)),
        asker_id=ASKER,
        interval_s=1.0,
        clock=clock,
        sleep=clock.sleep,
        **kw,
    )
    stream.start()
    return stream


async def produce(stream: DiscordReplyWriter, clock: Clock, words: list[str], every: float = 0.1) -> str:
    text = ""
    for word in words:
        text = (text + " " + word).strip()
        stream.push(text)
        for _ in range(3):
            await asyncio.sleep(0)
        clock.now += every
    await stream.finish(text)
    return text


async def test_streamed_reply_is_sent_at_once_then_edited_at_most_once_a_second():
    clock, log = Clock(), []
    stream = make_stream(clock, log)
    final = await produce(stream, clock, [f"word{i}" for i in range(80)])
    writes = [entry for entry in log if entry[0] in ("send", "edit")]
    assert writes[0][0] == "send" and writes[0][1] == 0.0  # the first text goes out immediately
    times = [when for _, when, _, _ in writes]
    assert all(later - earlier >= 1.0 - 1e-9 for earlier, later in zip(times, times[1:], strict=False))
    assert len(writes) >= 3  # it really streamed
    assert stream.messages[0].content == final  # the last write is the whole reply
    assert len(stream.messages) == 1


async def test_a_long_reply_continues_in_follow_up_messages_of_at_most_2000_characters():
    clock, log = Clock(), []
    stream = make_stream(clock, log)
    sentence = "This sentence is part of a very long answer. "
    final = await produce(stream, clock, (sentence * 120).split(), every=0.05)
    contents = [m.content for m in stream.messages]
    assert len(contents) >= 3
    assert all(len(c) <= 2000 for c in contents)
    assert contents == split_message(final)
    assert sum(1 for e in log if e[0] == "send") == len(contents)


async def test_every_write_pings_only_the_asker_and_mass_mentions_are_defused():
    clock, log = Clock(), []
    stream = make_stream(clock, log)
    await produce(stream, clock, ["@everyone", "look", "<@&5>", "and", "<@7>", "thanks", f"<@{ASKER}>"])
    text = stream.messages[0].content
    assert "@everyone" not in text and "<@&5>" not in text and "<@7>" not in text
    assert text.endswith(f"<@{ASKER}>")
    for kind, _, _, mentions in log:
        if kind == "edit":
            assert mentions.everyone is False and mentions.roles is False
            assert [u.id for u in mentions.users] == [ASKER]


async def test_text_that_shrinks_below_a_piece_deletes_the_stale_follow_up():
    clock, log = Clock(), []
    stream = make_stream(clock, log)
    stream.push("a " * 1500)
    for _ in range(5):
        await asyncio.sleep(0)
    clock.now += 2
    await stream.finish("short answer")
    assert [m.content for m in stream.messages] == ["short answer"]
    assert any(kind == "delete" for kind, *_ in log)


async def test_a_refused_write_stops_the_stream_instead_of_raising():
    clock = Clock()

    async def send(text: str):
        raise discord.HTTPException(SimpleNamespace(status=404, reason="Not Found"), "Unknown Message")

    stream = DiscordReplyWriter(
        send, send, allowed_mentions=asker_only(discord.Object(ASKER)), asker_id=ASKER, clock=clock, sleep=clock.sleep
    )
    stream.start()
    stream.push("hello")
    await stream.finish("hello there")
    assert stream.failed and stream.messages == []


# --- throttling --------------------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_edit_throttle_allows_at_most_one_edit_per_second():
    clock = FakeClock()
    throttle = EditThrottle(1.0, clock=clock)
    edits = []
    for step in range(50):  # an update every 0.1 s for 5 s
        clock.now = 100.0 + step * 0.1
        if throttle.wait_time() == 0:
            throttle.mark()
            edits.append(clock.now)
    assert len(edits) == 5
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(edits, edits[1:], strict=False))


def test_edit_throttle_says_how_long_to_wait():
    clock = FakeClock()
    throttle = EditThrottle(1.0, clock=clock)
    assert throttle.wait_time() == 0
    throttle.mark()
    clock.now += 0.25
    assert throttle.wait_time() == pytest.approx(0.75)
