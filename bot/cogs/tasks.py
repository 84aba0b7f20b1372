"""/tasks list and /tasks scan: stored action items with owners, deadlines and jump links, closed or reopened by button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.client import Smolcord
from bot.commands import tasks as task_commands
from bot.services.access import interaction_context
from bot.services.limits import model_command_limits
from bot.services.options import ChannelId, window_autocomplete
from bot.services.paginator import NOT_YOURS, route_to_error_handler
from bot.services.render import task_embeds
from bot.services.tasks import STATUS_FILTERS, change_status
from bot.storage.tables import Task

TASKS_PER_BOARD_PAGE = 5
NOT_ALLOWED = "Only the task's owner or a moderator (Manage Messages) can change it."


def may_change_task(member: discord.Member, task: Task, guild: discord.Guild) -> bool:
    """The owner, or whoever may manage messages where the task was said."""
    if task.owner_id is not None and task.owner_id == member.id:
        return True
    channel = guild.get_channel_or_thread(task.channel_id)
    permissions = channel.permissions_for(member) if channel is not None else member.guild_permissions
    return permissions.manage_messages


Press = Callable[[discord.Interaction], Awaitable[None]]


class BoardButton(discord.ui.Button["TaskBoard"]):
    """A board button whose press is handled by the board (built per page, so not a decorated method)."""

    def __init__(self, on_press: Press, **options: Any) -> None:
        super().__init__(**options)
        self._on_press = on_press

    async def callback(self, interaction: discord.Interaction) -> None:
        await self._on_press(interaction)


class TaskBoard(discord.ui.View):
    """Pages of tasks with a Done / Reopen button per task. Paging is the invoker's; status changes are the
    owner's or a moderator's, checked when the button is pressed."""

    def __init__(
        self,
        tasks: Sequence[Task],
        *,
        owner_id: int,
        guild_id: int,
        heading: str,
        sessions: async_sessionmaker[AsyncSession],
        timeout: float = 900.0,
    ) -> None:
        super().__init__(timeout=timeout)
        self.sessions = sessions
        self.tasks = list(tasks)
        self.owner_id = owner_id
        self.guild_id = guild_id
        self.heading = heading
        self.page = 0
        self._build()

    @property
    def page_count(self) -> int:
        return max(1, -(-len(self.tasks) // TASKS_PER_BOARD_PAGE))

    def page_tasks(self) -> list[Task]:
        start = self.page * TASKS_PER_BOARD_PAGE
        return self.tasks[start : start + TASKS_PER_BOARD_PAGE]

    def embed(self) -> discord.Embed:
        embed = task_embeds(self.page_tasks(), guild_id=self.guild_id, heading=self.heading)[0]
        if self.page_count > 1:
            embed.set_footer(text=f"Page {self.page + 1}/{self.page_count} · {len(self.tasks)} tasks")
        return embed

    def _build(self) -> None:
        self.clear_items()
        for task in self.page_tasks():
            done = task.status == "open"
            self.add_item(
                BoardButton(
                    self._toggle_callback(task.id),
                    label=f"{'Done' if done else 'Reopen'} #{task.id}",
                    style=discord.ButtonStyle.success if done else discord.ButtonStyle.secondary,
                    row=0,
                )
            )
        if self.page_count > 1:
            last = self.page_count - 1
            self.add_item(
                BoardButton(self._page_callback(-1), label="◀", style=discord.ButtonStyle.secondary, row=1, disabled=self.page == 0)
            )
            self.add_item(
                BoardButton(self._page_callback(+1), label="▶", style=discord.ButtonStyle.secondary, row=1, disabled=self.page >= last)
            )

    def _page_callback(self, step: int) -> Press:
        async def turn(interaction: discord.Interaction) -> None:
            if interaction.user.id != self.owner_id:
                await interaction.response.send_message(NOT_YOURS, ephemeral=True)
                return
            self.page = min(max(0, self.page + step), self.page_count - 1)
            self._build()
            await interaction.response.edit_message(embed=self.embed(), view=self)

        return turn

    def _toggle_callback(self, task_id: int) -> Press:
        async def toggle(interaction: discord.Interaction) -> None:
            index = next(i for i, task in enumerate(self.tasks) if task.id == task_id)
            task = self.tasks[index]
            guild = interaction.guild
            if guild is None or not isinstance(interaction.user, discord.Member) or not may_change_task(interaction.user, task, guild):
                await interaction.response.send_message(NOT_ALLOWED, ephemeral=True)
                return
            new_status = "done" if task.status == "open" else "open"
            self.tasks[index] = await change_status(
                self.sessions,
                guild_id=guild.id,
                task_id=task_id,
                status=new_status,
                actor_id=interaction.user.id,
            )
            self._build()
            await interaction.response.edit_message(embed=self.embed(), view=self)

        return toggle

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await route_to_error_handler(interaction, error)


class Tasks(commands.Cog):
    tasks = app_commands.Group(name="tasks", description="Action items found in this server's conversations", guild_only=True)

    def __init__(self, bot: Smolcord) -> None:
        self.bot = bot

    def _board(self, tasks: Sequence[Task], interaction: discord.Interaction, heading: str) -> TaskBoard:
        assert interaction.guild_id is not None
        return TaskBoard(tasks, owner_id=interaction.user.id, guild_id=interaction.guild_id, heading=heading, sessions=self.bot.sessions)

    @tasks.command(name="list", description="List stored tasks you can see, with buttons to mark them done or reopen them")
    @app_commands.describe(
        channel="Only tasks from this channel, thread or forum post",
        user="Only tasks owned by this member",
        status="Which tasks (default: open)",
        private="Only you see the list (default: yes)",
    )
    @app_commands.choices(status=[app_commands.Choice(name=s, value=s) for s in STATUS_FILTERS])
    async def list_tasks(
        self,
        interaction: discord.Interaction,
        channel: app_commands.Transform[int, ChannelId] | None = None,
        user: discord.Member | None = None,
        status: str = "open",
        private: bool = True,
    ) -> None:
        listed = await task_commands.list_tasks(
            self.bot,
            interaction_context(interaction),
            channel=channel,
            owner_id=user.id if user is not None else None,
            owner_name=user.display_name if user is not None else None,
            status=status,
            private=private,
        )
        if not listed.tasks:
            await interaction.response.send_message(
                f"{listed.heading}: none.", ephemeral=private, allowed_mentions=discord.AllowedMentions.none()
            )
            return
        board = self._board(listed.tasks, interaction, listed.heading)
        await interaction.response.send_message(
            embed=board.embed(), view=board, ephemeral=private, allowed_mentions=discord.AllowedMentions.none()
        )

    @tasks.command(name="scan", description="Find action items in a window of a channel now and store them")
    @app_commands.describe(
        channel="Channel, thread or forum post to scan (default: this one)",
        window='Which messages: "last 200", "since 24h" or "since my last message" (default: last 100)',
    )
    @app_commands.autocomplete(window=window_autocomplete)
    @model_command_limits()
    async def scan(
        self,
        interaction: discord.Interaction,
        channel: app_commands.Transform[int, ChannelId] | None = None,
        window: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        scan = await task_commands.scan_tasks(
            self.bot,
            interaction_context(interaction),
            channel=channel,
            window=window,
            accepted=lambda: interaction.response.defer(ephemeral=True, thinking=True),
        )
        summary = task_commands.scan_text(scan)
        if not scan.shown:
            await interaction.followup.send(summary, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
            return
        board = self._board(scan.shown, interaction, "New and updated tasks")
        await interaction.followup.send(
            summary, embed=board.embed(), view=board, ephemeral=True, wait=True, allowed_mentions=discord.AllowedMentions.none()
        )


async def setup(bot: Smolcord) -> None:
    await bot.add_cog(Tasks(bot))
