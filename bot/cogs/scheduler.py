"""Starts the bot's persistent scheduler with the daily retention job, and stops it when the bot closes."""

from __future__ import annotations

import asyncio

from discord.ext import commands

from bot import scheduler


class Scheduling(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        running = scheduler.ensure_scheduler(self.bot)  # type: ignore[arg-type]
        # The job store writes synchronously (and may wait on a busy SQLite file): keep that off the loop.
        await asyncio.to_thread(scheduler.schedule_retention, running)

    async def cog_unload(self) -> None:
        # Stopping joins the scheduler's thread, which may be waiting on the database: not on the loop.
        await asyncio.to_thread(scheduler.shutdown_scheduler, self.bot)  # type: ignore[arg-type]


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Scheduling(bot))
