"""The Discord client: one bot object that owns the shared services (database, models, message writer,
scheduler) and loads the cogs."""

from __future__ import annotations

import asyncio
import logging
import pkgutil
from typing import Any, Protocol

import discord
import yarl
from apscheduler.schedulers.background import BackgroundScheduler
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agents.runtime import ModelManager
from bot import scheduler as bot_scheduler
from bot.ingest import MessageWriter
from bot.responsiveness import freeze_startup_objects, install_yielding_gateway
from bot.settings import Settings
from bot.storage import db

log = logging.getLogger(__name__)

# Nobody is ever pinged unless a reply explicitly allows that one user.
SAFE_MENTIONS = discord.AllowedMentions(everyone=False, users=False, roles=False, replied_user=False)


def configure_endpoints(settings: Settings) -> None:
    """Route REST and gateway traffic to DISCORD_API_BASE / DISCORD_GATEWAY_URL when set (proxies, the test server)."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def cog_extensions() -> list[str]:
    import bot.cogs

    return [
        f"bot.cogs.{m.name}" for m in sorted(pkgutil.iter_modules(bot.cogs.__path__), key=lambda m: m.name) if not m.name.startswith("_")
    ]


def build_intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True  # privileged: enable "Message Content Intent" in the Developer Portal
    return intents


class HistorySync(Protocol):
    """The collector as the rest of the bot sees it."""

    async def wait_caught_up(self) -> int: ...

    async def wait_guild_caught_up(self, guild_id: int) -> None: ...


class Smolcord(commands.Bot):
    """The bot and the services every cog shares. Each is built once, in `setup_hook` (before any cog loads),
    and closed once, in `close` (after every cog is unloaded).

    With SMOLCORD_SHARD_COUNT set, `Smolcord(settings)` is a `ShardedSmolcord` (the same class on discord.py's
    AutoShardedBot) that connects only SMOLCORD_SHARD_IDS, so several processes split the guilds; the scheduler
    then runs each guild's jobs in the process of its shard (bot/scheduler.py). Unsharded it stays a plain Bot."""

    def __new__(cls, settings: Settings) -> Smolcord:
        if cls is Smolcord and settings.shard_count is not None:
            return super().__new__(ShardedSmolcord)
        return super().__new__(cls)

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    models: ModelManager  # the one ModelManager: every model load and inference goes through it
    writer: MessageWriter  # the collector's batched writer; `await bot.writer.flush()` before reading fresh messages
    scheduler: BackgroundScheduler  # persistent jobs (daily digests, retention), run on this bot's loop
    # The collector registers itself while loaded, so the digest can wait for the start-up catch-up.
    collector: HistorySync | None = None

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=build_intents(),
            allowed_mentions=SAFE_MENTIONS,
            help_command=None,
            **shard_options(settings),
        )
        self.settings = settings
        # A burst of gateway events must not hold the loop: the reader yields every few events (BENCHMARKS.md).
        install_yielding_gateway()
        self.engine = db.create_engine(settings.database_url)
        self.sessions = db.session_factory(self.engine)
        self._services_built = False

    async def setup_hook(self) -> None:
        self.build_services()
        for extension in cog_extensions():
            try:
                await self.load_extension(extension)
            except Exception:
                log.exception("could not load %s; the rest of the bot keeps running", extension)
        await self.sync_commands()

    def build_services(self) -> None:
        """Create the model manager, the message writer and the scheduler (on the bot's loop, before the cogs)."""
        self.models = ModelManager.from_settings(self.settings)
        self.writer = MessageWriter(self.sessions, max_pending=self.settings.write_queue_limit)
        self.writer.start()
        self.scheduler = bot_scheduler.start_scheduler(self)
        self._services_built = True

    async def history_ready(self, guild_id: int, timeout: float) -> bool:
        """Wait (at most `timeout` s) until the guild's stored history is current: received messages written, and
        after a start the edits and deletes made while the bot was away applied. False if it is not by then."""
        try:
            if self.collector is not None:
                await asyncio.wait_for(self.collector.wait_guild_caught_up(guild_id), timeout)
            else:
                await asyncio.wait_for(self.writer.flush(), timeout)
        except TimeoutError:
            return False
        return True

    async def wait_caught_up(self) -> None:
        """Wait until the start-up catch-up (missed messages, edits and deletes) is written; without a collector,
        until the writer's queue is."""
        if self.collector is not None:
            await self.collector.wait_caught_up()
        else:
            await self.writer.flush()

    async def sync_commands(self) -> None:
        guild_id = self.settings.dev_guild_id
        if guild_id is not None:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development guild %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_ready(self) -> None:
        # Modules, cogs and models are loaded by now: keep them out of later GC passes, which would
        # otherwise scan the whole startup heap (~0.4 s with torch imported) in some gateway callback.
        freeze_startup_objects()
        log.info("ready as %s in %d servers", self.user, len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        # Slash commands only: no prefix commands, so a mention is never parsed as one (the chat cog answers it).
        return None

    async def close(self) -> None:
        await super().close()  # unloads the cogs first: nothing queues work after this
        if self._services_built:
            self._services_built = False
            # Stopping joins the scheduler's thread, which may be waiting on the database: not on the loop.
            await asyncio.to_thread(bot_scheduler.shutdown_scheduler, self)
            await self.writer.close()  # commits what the collector queued
            await self.models.close()
        await self.engine.dispose()


class ShardedSmolcord(Smolcord, commands.AutoShardedBot):
    """Smolcord connecting the shards of SMOLCORD_SHARD_IDS (all SMOLCORD_SHARD_COUNT when unset) in one process."""


def shard_options(settings: Settings) -> dict[str, Any]:
    """AutoShardedBot's arguments. The count is always explicit, so discord.py never asks /gateway/bot to pick
    one and this process knows which guilds are its own (those whose shard it holds)."""
    if settings.shard_count is None:
        return {}
    return {"shard_count": settings.shard_count, "shard_ids": list(settings.held_shards)}


async def run_bot(settings: Settings) -> None:
    """Upgrade the database, connect and run until stopped."""
    configure_endpoints(settings)
    await asyncio.to_thread(db.upgrade, settings.database_url)
    bot = Smolcord(settings)
    async with bot:
        await bot.start(settings.discord_token or "")
