"""Chat replies: answer when the bot is mentioned or replied to, streaming a local model's reply into Discord."""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from datetime import timedelta
from typing import Any, Awaitable, Callable

import discord
from discord.ext import commands
from sqlalchemy import select

from agents import chat
from agents.records import MessageRecord
from bot import discord_convert as convert
from bot.client import Smolcord
from agents.runtime import (
    ModelBusyError,
    ModelError,
    ModelLoadError,
    ModelManager,
    ModelNotDownloadedError,
    ModelTimeoutError,
)
from bot.services.models import INTERACTIVE_PROFILE, active_model_key
from bot.storage import messages as stored
from bot.storage.tables import GuildSettings

log = logging.getLogger(__name__)

TASK = "text_generation"
# The variant /model switch warms (int8 Linear layers): chat runs on the same weights rather than loading twice.
CHAT_PROFILE = INTERACTIVE_PROFILE
# Prompt tokens read per reply at most, whatever the model's window: a 2-core CPU reads ~2k tokens in a few
# seconds, 8k in over a minute.
MAX_CONTEXT_TOKENS = 2048
# Recent context: enough for a conversation, small enough that a 2-core CPU reads it in seconds.
HISTORY_LIMIT = 40
HISTORY_MAX_AGE = timedelta(hours=12)
REPLY_CHAIN_DEPTH = 5
EDIT_INTERVAL_S = 1.0
TYPING_REFRESH_S = 8.0


def asker_only(user: discord.abc.Snowflake) -> discord.AllowedMentions:
    """Ping nobody but the person who asked, whatever the model wrote."""
    return discord.AllowedMentions(everyone=False, roles=False, users=[user], replied_user=True)


# --- Discord message -> plain record -----------------------------------------------------------------------------


def record_from_message(message: discord.Message) -> MessageRecord:
    """A live Discord message as the agents' plain record (for the question and reply-chain messages not stored)."""
    author = message.author
    return MessageRecord(
        id=message.id,
        channel_id=message.channel.id,
        author_id=author.id,
        author_name=getattr(author, "display_name", None) or author.name,
        content=message.content,
        created_at=message.created_at,
        edited_at=message.edited_at,
        reply_to_id=message.reference.message_id if message.reference else None,
        mention_ids=tuple(user.id for user in message.mentions),
        mention_names={user.id: user.display_name for user in message.mentions},
        attachments=tuple(convert.describe_attachment(a) for a in message.attachments),
        embeds=tuple(convert.describe_embeds(message.embeds)),
        is_bot=author.bot,
        guild_id=message.guild.id if message.guild else None,
        channel_name=getattr(message.channel, "name", "") or "",
    )


# --- streaming a growing reply into Discord messages -------------------------------------------------------------


class ReplyStream:
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
        self._throttle = chat.EditThrottle(interval_s, clock=clock)
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
        self._task = asyncio.create_task(self._pump(), name="chat-reply-stream")

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

    def pieces(self, text: str) -> list[str]:
        return chat.split_message(chat.neutralize_mentions(text, self._asker_id))

    async def _write(self, text: str) -> None:
        pieces = self.pieces(text)
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


# --- the cog -----------------------------------------------------------------------------------------------------


def user_message(error: BaseException, key: str, timeout_s: float) -> str:
    """One short line for the asker; never a traceback."""
    if isinstance(error, ModelBusyError):
        return (
            f"⏳ I'm busy right now: {error.limit} requests are already waiting (you would be #{error.position}). "
            "Please ask again in a minute."
        )
    if isinstance(error, ModelTimeoutError):
        return f"⌛ That took longer than {timeout_s:g} s, so I stopped. Try a shorter question."
    if isinstance(error, ModelNotDownloadedError):
        return f"The chat model `{key}` isn't downloaded yet. An admin can run `smolcord models pull {key}` on the bot's machine."
    if isinstance(error, ModelLoadError):
        return f"I couldn't load the chat model `{key}`: {_first_line(error)}"
    if isinstance(error, ModelError):
        return f"The chat model `{key}` failed: {_first_line(error)}"
    if isinstance(error, chat.PromptTooLongError):
        return f"This server's chat system prompt is too long for the model `{key}`; an admin should shorten it."
    return "Something went wrong while answering; the bot's log has the details."


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


class Chat(commands.Cog):
    """Answers mentions and replies with the guild's text_generation model."""

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        cooldown_s = bot.settings.user_cooldown_s
        self._cooldown = (
            commands.CooldownMapping.from_cooldown(1, cooldown_s, commands.BucketType.user) if cooldown_s > 0 else None
        )
        # "Slow down" is said once per cooldown, not once per extra message.
        self._warned = (
            commands.CooldownMapping.from_cooldown(1, cooldown_s, commands.BucketType.user) if cooldown_s > 0 else None
        )
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def models(self) -> ModelManager:
        return self.bot.models

    async def cog_unload(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # --- who is talking to us -------------------------------------------------------------------------------------

    async def _is_addressed(self, message: discord.Message) -> bool:
        me = self.bot.user
        if me is None or message.guild is None or message.author.bot:
            return False
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return False
        if any(user.id == me.id for user in message.mentions):
            return True
        reference = message.reference
        if reference is None or reference.message_id is None or reference.channel_id != message.channel.id:
            return False
        resolved = reference.resolved
        if isinstance(resolved, discord.Message):
            return resolved.author.id == me.id
        if isinstance(resolved, discord.DeletedReferencedMessage):
            return False
        record = await self._stored_message(message.channel.id, reference.message_id)
        return record is not None and record.author_id == me.id

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if not await self._is_addressed(message):
            return
        if self._cooldown is not None:
            retry_after = self._cooldown.get_bucket(message).update_rate_limit()
            if retry_after:
                await self._say_slow_down(message, retry_after)
                return
        task = asyncio.create_task(self.answer(message), name=f"chat-answer-{message.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await task

    async def _say_slow_down(self, message: discord.Message, retry_after: float) -> None:
        if self._warned is not None and self._warned.get_bucket(message).update_rate_limit():
            return
        try:
            await message.reply(
                f"One question at a time, please: ask me again in {math.ceil(retry_after)} s.",
                allowed_mentions=asker_only(message.author),
                delete_after=max(retry_after, 3.0),
            )
        except discord.HTTPException:
            log.warning("could not send the cooldown notice in channel %s", message.channel.id, exc_info=True)

    # --- context ------------------------------------------------------------------------------------------------

    async def _stored_message(self, channel_id: int, message_id: int) -> MessageRecord | None:
        # A snowflake carries its creation time: a two-second window around it finds the row by the indexed columns.
        at = discord.utils.snowflake_time(message_id)
        async with self.bot.sessions() as session:
            window = await stored.load_window(
                session, channel_id, since=at - timedelta(seconds=1), before=at + timedelta(seconds=1)
            )
        return next((r for r in window if r.id == message_id), None)

    async def _reply_chain(
        self, message: discord.Message, known: dict[int, MessageRecord], opted_out: set[int]
    ) -> list[MessageRecord]:
        """The messages the question replies to, nearest first, from this channel only: the stored copy when there
        is one, else Discord's."""
        chain: list[MessageRecord] = []
        reference = message.reference
        resolved = reference.resolved if reference else None
        current_id = reference.message_id if reference and reference.channel_id == message.channel.id else None
        while current_id is not None and len(chain) < REPLY_CHAIN_DEPTH:
            record = known.get(current_id) or await self._stored_message(message.channel.id, current_id)
            if record is None:
                live = resolved if isinstance(resolved, discord.Message) and resolved.id == current_id else None
                if live is None:
                    try:
                        live = await message.channel.fetch_message(current_id)
                    except discord.HTTPException:
                        break
                if live.channel.id != message.channel.id:
                    break
                record = record_from_message(live)
            if record.author_id in opted_out:
                break
            chain.append(record)
            resolved = None
            current_id = record.reply_to_id
        return chain

    async def _context(self, message: discord.Message) -> tuple[str, str | None, list[MessageRecord], list[MessageRecord]]:
        """The model key, the server's system prompt, recent messages and the reply chain — this channel only."""
        guild_id = message.guild.id if message.guild else None
        await self.bot.writer.flush()  # the collector writes in batches: the last few messages may still be queued
        async with self.bot.sessions() as session:
            key = await active_model_key(session, guild_id, TASK, self.models.registry)
            custom_prompt = await session.scalar(
                select(GuildSettings.chat_system_prompt).where(GuildSettings.guild_id == guild_id)
            )
            history = await stored.load_window(
                session,
                message.channel.id,
                limit=HISTORY_LIMIT,
                since=message.created_at - HISTORY_MAX_AGE,
                # Snowflake times have millisecond precision and two messages can share one: bound by time
                # just past the question, then by id.
                before=message.created_at + timedelta(milliseconds=1),
            )
            opted_out = await stored.opted_out_ids(session, guild_id) if guild_id is not None else set()
        history = [r for r in history if r.author_id not in opted_out and r.id < message.id]
        chain = await self._reply_chain(message, {r.id: r for r in history}, opted_out)
        return key, custom_prompt, history, chain

    # --- answering ----------------------------------------------------------------------------------------------

    async def answer(self, message: discord.Message) -> None:
        me = self.bot.user
        assert me is not None
        bot_name = message.guild.me.display_name if message.guild and message.guild.me else me.name
        settings = self.bot.settings
        timeout_s = float(settings.inference_timeout_s)
        mentions = asker_only(message.author)
        key = "?"
        try:
            key, custom_prompt, history, chain = await self._context(message)
        except Exception as error:
            log.exception("could not read the chat context for message %s", message.id)
            await self._reply_once(message, user_message(error, key, timeout_s), mentions)
            return

        question = record_from_message(message)
        system = chat.system_prompt(
            custom_prompt,
            bot_name=bot_name,
            guild_name=message.guild.name if message.guild else "",
            channel_name=question.channel_name,
        )
        stop = threading.Event()
        loop = asyncio.get_running_loop()
        stream = ReplyStream(
            lambda text: self._reply(message, text, mentions),
            lambda text: message.channel.send(text, allowed_mentions=mentions),
            allowed_mentions=mentions,
            asker_id=message.author.id,
        )

        def on_text(text: str) -> None:
            loop.call_soon_threadsafe(stream.push, text)

        def job(loaded: Any) -> str:
            prompt = chat.build_chat_prompt(
                loaded.tokenizer,
                question,
                history=history,
                reply_chain=chain,
                bot_user_id=me.id,
                bot_name=bot_name,
                context_window=min(loaded.spec.context_window or MAX_CONTEXT_TOKENS, MAX_CONTEXT_TOKENS),
                system=system,
                max_new_tokens=int(loaded.spec.generation.get("max_new_tokens", chat.DEFAULT_MAX_NEW_TOKENS)),
            )
            log.debug("chat prompt: %d tokens, %d context messages, %d dropped", prompt.prompt_tokens, len(prompt.context_ids), prompt.dropped)
            return chat.generate_reply(
                loaded,
                prompt.messages,
                max_new_tokens=prompt.max_new_tokens,
                on_text=on_text,
                stop_strings=prompt.stop_strings,
                assistant_name=prompt.assistant_name,
                should_stop=lambda: stop.is_set() or stream.failed,
            )

        typing = asyncio.create_task(self._typing_until(message.channel, stream.first_text))
        stream.start()
        try:
            text = await self.models.run(TASK, key, job, timeout=timeout_s, profile=CHAT_PROFILE)
        except BaseException as error:
            stop.set()  # a timed-out job keeps its worker busy until it notices
            typing.cancel()
            if isinstance(error, asyncio.CancelledError):
                await stream.abort()
                raise
            if not isinstance(error, (ModelError, chat.PromptTooLongError)):
                log.exception("chat reply to message %s failed", message.id)
            note = user_message(error, key, timeout_s)
            if stream.messages:
                await stream.finish(f"{stream.text.rstrip()}\n\n*({note})*")
            else:
                await stream.abort()
                await self._reply_once(message, note, mentions)
            return
        typing.cancel()
        await stream.finish(text or "…I have nothing to add to that.")

    @staticmethod
    async def _reply(message: discord.Message, text: str, mentions: discord.AllowedMentions) -> discord.Message:
        # Still answer (without the reply link) if the question was deleted meanwhile.
        reference = message.to_reference(fail_if_not_exists=False)
        return await message.channel.send(text, reference=reference, allowed_mentions=mentions, mention_author=True)

    async def _reply_once(self, message: discord.Message, text: str, mentions: discord.AllowedMentions) -> None:
        try:
            await self._reply(message, text, mentions)
        except discord.HTTPException:
            log.warning("could not reply in channel %s", message.channel.id, exc_info=True)

    @staticmethod
    async def _typing_until(channel: discord.abc.Messageable, started: asyncio.Event) -> None:
        """Show "typing…" while the model loads, queues and reads the prompt; best effort."""
        while not started.is_set():
            try:
                await channel.typing()
            except discord.HTTPException:
                return
            try:
                await asyncio.wait_for(started.wait(), TYPING_REFRESH_S)
            except asyncio.TimeoutError:
                continue


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Chat(bot))
