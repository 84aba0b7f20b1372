"""Who runs a command, where, and what they may see: plain values, so every caller (a slash command today, a
natural-language request next) goes through exactly the same permission and channel-access checks.

A command takes `Services` (the bot's shared parts; `Smolcord` is one) and a `CommandContext`; it never sees a
Discord interaction. `bot.services.access.member_context` builds a context from a Discord member and channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agents.runtime import ModelManager
from bot.ingest import MessageWriter
from bot.services.errors import BotCannotRead, CatchingUp, ChannelNotReadable, NotAllowed
from bot.settings import Settings

# Called once a request has passed every check, right before the slow part (loading messages, running a
# model, erasing data). The slash cogs defer the interaction here, so refusals stay private and fast.
Accepted = Callable[[], Awaitable[object]]


class Services(Protocol):
    """The shared parts a command uses (`bot.client.Smolcord` has them all)."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    models: ModelManager
    writer: MessageWriter
    scheduler: BaseScheduler

    async def history_ready(self, guild_id: int, timeout: float) -> bool:
        """Wait (at most `timeout` s) until the guild's stored history is current: received messages written, and
        after a restart the edits and deletes made while the bot was away applied. False if it is not by then."""
        ...


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel or thread of the guild as the bot's cache knows it."""

    id: int
    name: str
    is_text: bool = True  # a text or announcement channel (not a thread, forum, voice channel or category)
    is_thread: bool = False

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


class GuildView(Protocol):
    """What the bot knows about one guild's channels, seen by the asking member and by the bot itself.

    Every check takes a channel id; an id the guild does not have reads as "no" everywhere.
    """

    def channel(self, channel_id: int) -> ChannelInfo | None: ...

    def channels(self) -> Sequence[ChannelInfo]:
        """Every channel and cached thread of the guild."""
        ...

    def member_can_read(self, channel_id: int) -> bool:
        """The asking member may view the channel and read its history (private threads: its members only)."""
        ...

    def bot_can_read(self, channel_id: int) -> bool: ...

    def bot_can_post(self, channel_id: int) -> bool:
        """The bot may view the channel, send messages and embed links there."""
        ...

    def audience_may_see(self, source_id: int, target_id: int) -> bool:
        """Everyone who can read `target_id` can also read `source_id` (a digest or public list in the
        target may show the source's content)."""
        ...


class MissingManageServer(NotAllowed):
    def __init__(self) -> None:
        super().__init__("You need the Manage Server permission for this.")


@dataclass(frozen=True, slots=True)
class CommandContext:
    """One request: who asks (`user_id`, whether they hold Manage Server in this guild), where (`guild_id`,
    the `channel_id` they asked in; None when not in a channel), and the guild as they see it."""

    user_id: int
    guild_id: int
    channel_id: int | None
    manage_guild: bool
    guild: GuildView
    bot_id: int | None = None  # the bot's own user id: it is never a task's owner, a request to it never a task

    def require_manage_guild(self) -> None:
        """Discord hides admin commands from other members, but a stale client, a crafted call or a
        natural-language request still reaches the command: it is checked here on every call."""
        if not self.manage_guild:
            raise MissingManageServer()

    def readable_channel(self, channel_id: int | None = None) -> ChannelInfo:
        """The channel (default: where the request was made) if the member may read its history; the same
        refusal for a channel that does not exist or that they cannot see, so nothing is revealed."""
        wanted = channel_id if channel_id is not None else self.channel_id
        channel = self.guild.channel(wanted) if wanted is not None else None
        if channel is None or not self.guild.member_can_read(channel.id):
            raise ChannelNotReadable()
        return channel

    def require_bot_can_read(self, channel: ChannelInfo) -> None:
        """The bot stores nothing from a channel it cannot read: say what to fix instead of an empty answer."""
        if not self.guild.bot_can_read(channel.id):
            raise BotCannotRead(f"I can't read {channel.mention}: give me View Channel and Read Message History there.")


async def accept(accepted: Accepted | None) -> None:
    if accepted is not None:
        await accepted()


# How long a command that reads stored messages waits for the start-up catch-up before saying so.
HISTORY_WAIT_S = 20.0


async def require_current_history(services: Services, guild_id: int) -> None:
    """Messages received so far are written and, after a restart, the catch-up has applied what changed while the
    bot was away, so text deleted meanwhile can never reach a summary; CatchingUp if not within HISTORY_WAIT_S."""
    if not await services.history_ready(guild_id, HISTORY_WAIT_S):
        raise CatchingUp()
