"""Chat replies: answer when the bot is mentioned or replied to, streaming a local model's reply into Discord.

The cog decides when to answer and gathers the context; bot/chat_stream.py streams the reply, agents/chat.py
builds the prompt and generates it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import discord
from discord.ext import commands

from agents import chat
from agents.markup import clean_name
from agents.records import MessageRecord
from agents.runtime import ModelManager
from bot import chat_stream
from bot import discord_convert as convert
from bot.client import Smolcord
from bot.services import guild_settings
from bot.services.errors import OnCooldown, describe_error
from bot.services.models import INTERACTIVE_PROFILE, active_model_key
from bot.storage import messages as stored

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


class Chat(commands.Cog):
    """Answers mentions and replies with the guild's text_generation model."""

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot
        cooldown_s = bot.settings.user_cooldown_s
        # Per user per server, like the slash commands' cooldown (bot/services/limits.py).
        self._cooldown = commands.CooldownMapping.from_cooldown(1, cooldown_s, commands.BucketType.member) if cooldown_s > 0 else None
        # "Slow down" is said once per cooldown, not once per extra message.
        self._warned = commands.CooldownMapping.from_cooldown(1, cooldown_s, commands.BucketType.member) if cooldown_s > 0 else None
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
        bucket = self._cooldown.get_bucket(message) if self._cooldown is not None else None
        retry_after = bucket.update_rate_limit() if bucket is not None else None
        if retry_after:
            await self._say_slow_down(message, retry_after)
            return
        requests = self.bot.get_cog("Requests")  # the swarm: a request in words runs its command instead of chat
        if requests is not None and await requests.handle(message):  # type: ignore[attr-defined]
            return
        task = asyncio.create_task(self.answer(message), name=f"chat-answer-{message.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await task

    async def _say_slow_down(self, message: discord.Message, retry_after: float) -> None:
        warned = self._warned.get_bucket(message) if self._warned is not None else None
        if warned is not None and warned.update_rate_limit():
            return
        notice = describe_error(OnCooldown(retry_after)).message  # the slash commands' wording
        await chat_stream.reply_once(message, notice, delete_after=max(retry_after, 3.0))

    # --- context ------------------------------------------------------------------------------------------------

    async def _stored_message(self, channel_id: int, message_id: int) -> MessageRecord | None:
        async with self.bot.sessions() as session:
            return await stored.load_message(session, channel_id, message_id)

    async def _reply_chain(self, message: discord.Message, known: dict[int, MessageRecord], opted_out: set[int]) -> list[MessageRecord]:
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
                record = convert.message_record(live)
            else:
                record = convert.with_channel_names(record, message.guild, message.channel)
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
            custom_prompt = (await guild_settings.read(session, guild_id)).chat_system_prompt if guild_id else None
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
        history = [
            convert.with_channel_names(r, message.guild, message.channel)
            for r in history
            if r.author_id not in opted_out and r.id < message.id
        ]
        chain = await self._reply_chain(message, {r.id: r for r in history}, opted_out)
        return key, custom_prompt, history, chain

    # --- answering ----------------------------------------------------------------------------------------------

    async def answer(self, message: discord.Message) -> None:
        me = self.bot.user
        assert me is not None
        bot_name = clean_name(message.guild.me.display_name if message.guild and message.guild.me else me.name)
        timeout_s = float(self.bot.settings.inference_timeout_s)
        try:
            key, custom_prompt, history, chain = await self._context(message)
        except Exception as error:  # whatever failed, the asker gets one line and the log the details
            await chat_stream.reply_with_error(message, error, f"reading the chat context for message {message.id}")
            return

        question = convert.message_record(message)
        system = chat.system_prompt(
            custom_prompt,
            bot_name=bot_name,
            guild_name=message.guild.name if message.guild else "",
            channel_name=question.channel_name,
        )

        def job(loaded: Any, on_text: chat_stream.OnText, should_stop: chat_stream.ShouldStop) -> str:
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
            log.debug(
                "chat prompt: %d tokens, %d context messages, %d dropped", prompt.prompt_tokens, len(prompt.context_ids), prompt.dropped
            )
            return chat.generate_reply(
                loaded,
                prompt.messages,
                max_new_tokens=prompt.max_new_tokens,
                on_text=on_text,
                stop_strings=prompt.stop_strings,
                assistant_name=prompt.assistant_name,
                should_stop=should_stop,
            )

        async def generate(on_text: chat_stream.OnText, should_stop: chat_stream.ShouldStop) -> str:
            return await self.models.run(TASK, key, job, on_text, should_stop, timeout=timeout_s, profile=CHAT_PROFILE)

        await chat_stream.stream_reply(message, generate)


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Chat(bot))
