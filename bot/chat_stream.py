"""Streaming a growing model reply into Discord: sent at once, edited as it grows (within Discord's edit rate
limits), continued in follow-up messages past 2,000 characters, and ended with one clear line if it fails."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.chat_output import asker_only, discord_pieces
from bot.services.errors import describe_error

log = logging.getLogger(__name__)

EDIT_INTERVAL_S = 1.0
TYPING_REFRESH_S = 8.0
EMPTY_REPLY = "…I have nothing to add to that."

# What the worker thread gets: a callback for the visible text so far, and a question "should I stop now?".
OnText = Callable[[str], None]
ShouldStop = Callable[[], bool]


class EditThrottle:
    """At most one edit per `interval_s`: Discord rate-limits message edits, and readers need no faster updates."""

    def __init__(self, interval_s: float = EDIT_INTERVAL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._last: float | None = None

    def wait_time(self) -> float:
        """Seconds until the next edit is allowed (0 when it is allowed now)."""
        if self._last is None:
            return 0.0
        return max(0.0, self._last + self.interval_s - self._clock())

    def mark(self) -> None:
        """Record that an edit was just made."""
        self._last = self._clock()


class DiscordReplyWriter:
    """Keeps Discord messages in step with a growing reply: the first piece is sent as soon as there is text,
    later changes are written at most once per `interval_s`, and text past 2,000 characters continues in
    follow-up messages. `push` may be called as often as tokens arrive; only the latest text is written."""

    def __init__(
        self,
        send_first: Callable[[str], Awaitable[Any]],
        send_next: Callable[[str], Awaitable[Any]],
        *,
        allowed_mentions: discord.AllowedMentions,
        asker_id: int | None,
        interval_s: float = EDIT_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self._send_first = send_first
        self._send_next = send_next
        self._allowed_mentions = allowed_mentions
        self._asker_id = asker_id
        self._throttle = EditThrottle(interval_s, clock=clock)
        self._sleep = sleep
        self._latest = ""
        self._written: list[str] = []
        self.messages: list[Any] = []
        self._changed = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self.first_text = asyncio.Event()
        self.failed = False  # Discord refused a write (the question or our reply was deleted): stop generating

    @property
    def text(self) -> str:
        """The latest text pushed."""
        return self._latest

    def start(self) -> None:
        self._task = asyncio.create_task(self._pump(), name="chat-reply-writer")

    def push(self, text: str) -> None:
        """The reply so far (call on the event loop; from a worker thread use `loop.call_soon_threadsafe`)."""
        self._latest = text
        if text.strip():
            self.first_text.set()
        self._changed.set()

    async def finish(self, text: str) -> None:
        """Write the final text (after the throttle allows) and stop."""
        self._latest = text
        self._closed = True
        self._changed.set()
        if self._task is not None:
            await self._task
        else:
            await self._write(self._latest)

    async def abort(self) -> None:
        """Stop without writing anything more."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _pump(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            wait = self._throttle.wait_time()
            if wait > 0:
                await self._sleep(wait)
            try:
                await self._write(self._latest)
            except discord.HTTPException:
                log.warning("could not write a chat reply; stopping it", exc_info=True)
                self.failed = True
                return
            if self._closed and not self._changed.is_set():
                return

    async def _write(self, text: str) -> None:
        pieces = discord_pieces(text, self._asker_id)
        if pieces == self._written:
            return
        wrote = False
        for index, piece in enumerate(pieces):
            if index < len(self.messages):
                if self._written[index] != piece:
                    await self.messages[index].edit(content=piece, allowed_mentions=self._allowed_mentions)
                    wrote = True
            else:
                send = self._send_first if index == 0 else self._send_next
                self.messages.append(await send(piece))
                wrote = True
        # The visible text can shrink (a stop string completed): drop pieces that are no longer part of it.
        for extra in self.messages[len(pieces) :]:
            try:
                await extra.delete()
            except discord.HTTPException:
                log.warning("could not delete a stale reply piece", exc_info=True)
        del self.messages[len(pieces) :]
        self._written = pieces
        if wrote:
            self._throttle.mark()


# --- replying to a question --------------------------------------------------------------------------------------


async def reply_to(message: discord.Message, text: str | None, mentions: discord.AllowedMentions, **options: Any) -> discord.Message:
    # Still answer (without the reply link) if the question was deleted meanwhile.
    reference = message.to_reference(fail_if_not_exists=False)
    return await message.channel.send(text, reference=reference, allowed_mentions=mentions, mention_author=True, **options)


async def reply_once(message: discord.Message, text: str | None, **options: Any) -> None:
    """One best-effort reply that pings only the asker (a Discord failure is logged, not raised)."""
    try:
        await reply_to(message, text, asker_only(message.author), **options)
    except discord.HTTPException:
        log.warning("could not reply in channel %s", message.channel.id, exc_info=True)


def log_failure(error: BaseException, what: str) -> str:
    """Log a failure as its report says (a traceback only for the unexpected) and return the user's line."""
    report = describe_error(error)
    if report.traceback:
        log.error("%s failed", what, exc_info=error)
    else:
        log.log(report.level, "%s refused: %s: %s", what, type(error).__name__, " ".join(str(error).split())[:300])
    return report.message


async def reply_with_error(message: discord.Message, error: BaseException, what: str) -> None:
    await reply_once(message, log_failure(error, what))


async def typing_until(channel: discord.abc.Messageable, started: asyncio.Event) -> None:
    """Show "typing…" while the model loads, queues and reads the prompt; best effort."""
    while not started.is_set():
        try:
            await channel.typing()
        except discord.HTTPException:
            return
        try:
            await asyncio.wait_for(started.wait(), TYPING_REFRESH_S)
        except TimeoutError:
            continue


async def stream_reply(message: discord.Message, generate: Callable[[OnText, ShouldStop], Awaitable[str]]) -> None:
    """Answer `message` with the text `generate(on_text, should_stop)` produces, streamed as it grows.

    `generate` runs the model off the event loop and calls `on_text` from its worker thread; `should_stop` turns
    true when the job should end early (it timed out, or Discord refused our reply). A failure becomes the one
    line `describe_error` gives it, added under what was already written or sent as the reply.
    """
    mentions = asker_only(message.author)
    stop = threading.Event()
    loop = asyncio.get_running_loop()
    writer = DiscordReplyWriter(
        lambda text: reply_to(message, text, mentions),
        lambda text: message.channel.send(text, allowed_mentions=mentions),
        allowed_mentions=mentions,
        asker_id=message.author.id,
    )

    def on_text(text: str) -> None:
        loop.call_soon_threadsafe(writer.push, text)

    def should_stop() -> bool:
        return stop.is_set() or writer.failed

    typing = asyncio.create_task(typing_until(message.channel, writer.first_text))
    writer.start()
    try:
        text = await generate(on_text, should_stop)
    except BaseException as error:
        stop.set()  # a timed-out job keeps its worker busy until it notices
        typing.cancel()
        if isinstance(error, asyncio.CancelledError):
            await writer.abort()
            raise
        note = log_failure(error, f"chat reply to message {message.id}")
        if writer.messages:
            await writer.finish(f"{writer.text.rstrip()}\n\n*({note})*")
        else:
            await writer.abort()
            await reply_once(message, note)
        return
    typing.cancel()
    await writer.finish(text or EMPTY_REPLY)
