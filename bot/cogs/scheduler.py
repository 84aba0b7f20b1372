"""Adds the daily retention job to the bot's persistent scheduler (the bot starts and stops the scheduler)."""

from __future__ import annotations

import asyncio

from discord.ext import commands

from bot import scheduler
from bot.client import Smolcord


class Scheduling(commands.Cog):
    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        # The job store writes synchronously (and may wait on a busy SQLite file): keep that off the loop.
        await asyncio.to_thread(scheduler.schedule_retention, self.bot.scheduler)


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Scheduling(bot))
