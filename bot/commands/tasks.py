"""The tasks commands: list the stored action items a member may see, and scan a window for new ones.

- `list_tasks(services, context, channel=, owner_id=, owner_name=, status=, private=)` -> `TaskList`
- `scan_tasks(services, context, channel=, window=)` -> `TaskScan`; `scan_text(result)` is its one-line report
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.context import Accepted, CommandContext, Services, accept, require_current_history
from bot.services.tasks import ScanResult, scan_channel, visible_tasks
from bot.services.windows import parse_window
from bot.storage.tables import Task


@dataclass(frozen=True, slots=True)
class TaskList:
    heading: str  # e.g. "Open tasks of Alice in #general"
    tasks: list[Task]  # at most bot.services.tasks.MAX_LISTED


@dataclass(frozen=True, slots=True)
class TaskScan:
    channel_mention: str
    window_label: str
    result: ScanResult

    @property
    def shown(self) -> list[Task]:
        """The tasks this scan created or changed."""
        return self.result.created + self.result.updated


async def list_tasks(
    services: Services,
    context: CommandContext,
    *,
    channel: int | None = None,
    owner_id: int | None = None,
    owner_name: str | None = None,
    status: str = "open",
    private: bool = True,
) -> TaskList:
    """Stored tasks with `status` ("open", "done", "cancelled", "all"), of `owner_id` and from `channel` when
    given, only from channels the member can read; a public list (`private=False`) only from channels that
    everyone who can read the asking channel can read too. `owner_name` is the owner's display name, for the
    heading. Refused: a `channel` the member cannot read (ChannelNotReadable); a bad status (InvalidInput).
    """
    named = context.readable_channel(channel) if channel is not None else None
    view = context.guild
    here = context.channel_id if context.channel_id is not None and view.channel(context.channel_id) else None
    readable = {
        c.id
        for c in view.channels()
        if view.member_can_read(c.id) and (private or (here is not None and view.audience_may_see(c.id, here)))
    }
    found = await visible_tasks(
        services.sessions,
        guild_id=context.guild_id,
        readable_channel_ids=readable,
        channel_id=channel,
        owner_id=owner_id,
        status=status,
    )
    heading = f"{status.capitalize() if status != 'all' else 'All'} tasks"
    if owner_id is not None:
        heading += f" of {owner_name or f'<@{owner_id}>'}"
    if named is not None:
        heading += f" in #{named.name}"
    return TaskList(heading=heading, tasks=found)


async def scan_tasks(
    services: Services,
    context: CommandContext,
    *,
    channel: int | None = None,
    window: str | None = None,
    accepted: Accepted | None = None,
) -> TaskScan:
    """Find the action items in `window` of `channel` (default: last 100 messages where the request was made)
    and store them; scanning twice never duplicates a task, and a status set by hand is kept.
    Refused: a channel the member cannot read (ChannelNotReadable) or the bot cannot read (BotCannotRead),
    a bad window (InvalidInput), an empty window (EmptyWindow).
    """
    target = context.readable_channel(channel)
    context.require_bot_can_read(target)
    parsed = parse_window(window)
    await accept(accepted)
    await require_current_history(services, context.guild_id)
    result = await scan_channel(
        services.sessions,
        guild_id=context.guild_id,
        channel_id=target.id,
        user_id=context.user_id,
        window=parsed,
        bot_ids=(context.bot_id,) if context.bot_id is not None else (),
    )
    return TaskScan(channel_mention=target.mention, window_label=parsed.describe(), result=result)


def scan_text(scan: TaskScan) -> str:
    result = scan.result
    return (
        f"Read {result.messages_read} messages in {scan.channel_mention} ({scan.window_label}): "
        f"{result.found} task{'s' if result.found != 1 else ''} found, {len(result.created)} new, {len(result.updated)} updated."
    )
