"""The privacy commands: each member decides whether the bot stores their messages in a server.

- `opt_out(services, context)` -> `Erased`; `opt_out_text(result)`
- `opt_in(services, context)` -> `OptedIn`; `opt_in_text(result)`
- `forget(services, context)` -> `Erased`; `forget_text(result)`

They act on the asking member only (`context.user_id`), so they need no permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.context import Accepted, CommandContext, Services, accept
from bot.storage import messages as store


@dataclass(frozen=True, slots=True)
class Erased:
    messages: int  # stored messages of the member erased
    opted_out: bool  # the member is opted out now (nothing new is stored)


@dataclass(frozen=True, slots=True)
class OptedIn:
    changed: bool  # False: they had not opted out


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


async def opt_out(services: Services, context: CommandContext, *, accepted: Accepted | None = None) -> Erased:
    """Stop storing the member's messages in this server and erase the stored ones (summaries and tasks no
    longer see them; catch-up never fetches them back)."""
    await accept(accepted)
    # Messages already received but not yet written must be written before an erase, or they would outlive it.
    await services.writer.flush()
    async with services.sessions.begin() as session:
        erased = await store.opt_out(session, context.guild_id, context.user_id)
    return Erased(messages=erased, opted_out=True)


def opt_out_text(result: Erased) -> str:
    return (
        f"Done: I erased {plural(result.messages, 'stored message')} of yours in this server and will not store new ones. "
        "Summaries and tasks no longer see them. `/privacy optin` undoes this for new messages."
    )


async def opt_in(services: Services, context: CommandContext) -> OptedIn:
    """Store the member's new messages in this server again (erased ones stay erased)."""
    async with services.sessions.begin() as session:
        changed = await store.opt_in(session, context.guild_id, context.user_id)
    return OptedIn(changed=changed)


def opt_in_text(result: OptedIn) -> str:
    if result.changed:
        return "Done: I store your new messages in this server again. Messages erased earlier stay erased."
    return "Nothing to change: your messages in this server are already stored (you had not opted out)."


async def forget(services: Services, context: CommandContext, *, accepted: Accepted | None = None) -> Erased:
    """Erase the member's stored messages in this server; new ones are still stored unless they opted out."""
    await accept(accepted)
    await services.writer.flush()
    async with services.sessions.begin() as session:
        erased = await store.forget_user(session, context.guild_id, context.user_id)
        opted_out = context.user_id in await store.opted_out_ids(session, context.guild_id)
    return Erased(messages=erased, opted_out=opted_out)


def forget_text(result: Erased) -> str:
    future = (
        "You are opted out, so nothing new is stored."
        if result.opted_out
        else ("New messages are still stored; `/privacy optout` stops that.")
    )
    return f"Done: I erased {plural(result.messages, 'stored message')} of yours in this server. {future}"
