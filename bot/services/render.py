"""Turning summaries, tasks and digests into Discord embeds that fit Discord's limits and never ping anyone."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import discord

from agents.markup import clean_name, clean_text

# Discord's limits: 4096 characters of description, 1024 per field value, 6000 per message, 25 fields.
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
PAGE_BUDGET = 3500  # leaves room for fields and footer inside the 6000-character message limit
BULLETS_PER_PAGE = 8  # a page reads at a glance; a busy window's recap (topics, decisions, actions...) takes two
TASKS_PER_PAGE = 10
SUMMARY_COLOUR = discord.Colour.blurple()
TASK_COLOUR = discord.Colour.green()
DIGEST_COLOUR = discord.Colour.gold()

_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_LINK_SYNTAX = re.compile(r"\]\(")


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def safe_text(text: str, limit: int = 900) -> str:
    """Model or user text made inert: cleaned (no bidi, invisible or control characters, no combining
    stacks), no @everyone/@here or role/user pings, no masked links, one line, bounded."""
    text = " ".join(clean_text(str(text)).split())
    text = discord.utils.escape_mentions(text)
    text = _MASS_MENTION.sub(lambda m: "@\u200b" + m.group(1), text)
    text = _LINK_SYNTAX.sub("]\u200b(", text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def timestamp(moment: datetime | None, style: str = "f") -> str:
    """A Discord timestamp (`<t:...:R>`): each reader sees it in their own timezone."""
    if moment is None:
        return "unknown"
    return f"<t:{int(moment.timestamp())}:{style}>"


def _participant_name(participant: Any) -> str:
    if isinstance(participant, str):
        return participant
    for attribute in ("name", "display_name", "author_name"):
        value = getattr(participant, attribute, None)
        if isinstance(value, str):
            return value
    if isinstance(participant, (tuple, list)) and participant:
        return str(participant[-1])
    return str(participant)


def participants_line(participants: Iterable[Any], limit: int = FIELD_LIMIT) -> str:
    names = [safe_text(clean_name(_participant_name(p)), 80) for p in participants]
    if not names:
        return "nobody"
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = len(names) - index
        candidate = ", ".join([*shown, name])
        if len(candidate) + len(f" and {rest} more") > limit:
            return ", ".join(shown) + f" and {rest} more"
        shown.append(name)
    return ", ".join(shown)


def bullet_line(text: str, message_ids: Sequence[int], *, guild_id: int, channel_id: int, max_links: int = 3) -> str:
    links = " ".join(
        f"[[{index}]]({jump_url(guild_id, channel_id, message_id)})"
        for index, message_id in enumerate(list(message_ids)[:max_links], start=1)
    )
    line = f"• {safe_text(text)}"
    return f"{line} {links}" if links else line


def summary_lines(summary: Any, *, guild_id: int, channel_id: int, max_links: int = 3) -> list[str]:
    """The summary's lines in reading order: topics, then each section under its heading (a heading
    travels with the first line of its section, so a page never ends on a heading)."""
    from agents.summarize.recap import grouped

    lines: list[str] = []
    for heading, bullets in grouped(summary.bullets):
        for index, bullet in enumerate(bullets):
            line = bullet_line(bullet.text, bullet.message_ids, guild_id=guild_id, channel_id=channel_id, max_links=max_links)
            lines.append(f"**{heading}**\n{line}" if heading and index == 0 else line)
    if lines and not any(getattr(b, "section", "") == "question" for b in summary.bullets):
        lines.append("**Open questions:** none left unanswered.")
    return lines


def paginate_lines(lines: Sequence[str], *, per_page: int, budget: int = PAGE_BUDGET) -> list[list[str]]:
    """Split lines into pages of at most `per_page` lines and `budget` characters (a line is never split)."""
    pages: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = line if len(line) <= budget else line[: budget - 1] + "…"
        if current and (len(current) >= per_page or size + len(line) + 1 > budget):
            pages.append(current)
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current or not pages:
        pages.append(current)
    return pages


def coverage_line(summary: Any) -> str:
    """The summary's own account of what it read (`Summary.coverage`), or one computed from its counts."""
    coverage = getattr(summary, "coverage", None)
    if isinstance(coverage, str) and coverage:
        return safe_text(coverage, 300)
    read = getattr(summary, "messages_read", 0)
    total = getattr(summary, "messages_total", 0)
    line = f"{read} of {total} messages ({(read / total if total else 1.0):.0%})"
    chunks_total = getattr(summary, "chunks_total", 0)
    if chunks_total:
        line += f", {getattr(summary, 'chunks_cached', 0)} of {chunks_total} chunks from cache"
    return line


@dataclass(frozen=True, slots=True)
class SummaryView:
    """What a summary embed shows besides the summary itself."""

    guild_id: int
    channel_id: int
    channel_label: str
    window_label: str
    profile: str


def summary_embeds(summary: Any, view: SummaryView) -> list[discord.Embed]:
    """One embed per page: bullets with jump links, then participants, time range, coverage and model."""
    lines = summary_lines(summary, guild_id=view.guild_id, channel_id=view.channel_id) or [
        "(the model returned no bullet points for this window)"
    ]
    pages = paginate_lines(lines, per_page=BULLETS_PER_PAGE)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(
            title=safe_text(f"Summary of {view.channel_label}", 250),
            description="\n".join(page),
            colour=SUMMARY_COLOUR,
        )
        embed.add_field(name="Participants", value=participants_line(summary.participants), inline=False)
        embed.add_field(name="Time range", value=f"{timestamp(summary.start)} – {timestamp(summary.end)}", inline=False)
        embed.add_field(name="Coverage", value=f"{coverage_line(summary)} · {view.window_label}", inline=False)
        embed.add_field(name="Model", value=f"`{summary.model_key}` ({view.profile})", inline=False)
        notes = [safe_text(note, 200) for note in getattr(summary, "notes", None) or []]
        if notes:
            embed.add_field(name="Notes", value="\n".join(notes)[:FIELD_LIMIT], inline=False)
        if len(pages) > 1:
            embed.set_footer(text=f"Page {number}/{len(pages)}")
        embeds.append(embed)
    return embeds


def task_line(task: Any, *, guild_id: int) -> str:
    owner = f"<@{task.owner_id}>" if task.owner_id else safe_text(task.owner_name or "unassigned", 80)
    due = f" · due {timestamp(task.due_at, 'R')}" if task.due_at else ""
    status = "" if task.status == "open" else f" · **{task.status}**"
    link = f" · [source]({jump_url(guild_id, task.channel_id, task.source_message_id)})" if task.source_message_id else ""
    return f"`#{task.id}` {safe_text(task.text, 300)} — {owner}{due}{status}{link}"


def task_embeds(tasks: Sequence[Any], *, guild_id: int, heading: str) -> list[discord.Embed]:
    lines = [task_line(task, guild_id=guild_id) for task in tasks] or ["No tasks match."]
    pages = paginate_lines(lines, per_page=TASKS_PER_PAGE)
    embeds = []
    for number, page in enumerate(pages, start=1):
        embed = discord.Embed(title=safe_text(heading, 250), description="\n".join(page), colour=TASK_COLOUR)
        if len(pages) > 1:
            embed.set_footer(text=f"Page {number}/{len(pages)} · {len(tasks)} tasks")
        embeds.append(embed)
    return embeds


DIGEST_BULLETS_PER_CHANNEL = 10
DIGEST_SECTION_BUDGET = 1800
DIGEST_TASKS_SHOWN = 15
MESSAGE_EMBED_LIMIT = 10
MESSAGE_CHARACTER_BUDGET = 5800  # Discord allows 6000 characters over all embeds of one message


def digest_embeds(digest: Any) -> list[discord.Embed]:
    """A header, one embed per active channel, then the open tasks."""
    # The title is also how a restarted bot finds a digest it posted but could not record (digest_title).
    header = discord.Embed(title=f"Daily digest · {digest.day.isoformat()}", colour=DIGEST_COLOUR)
    if digest.empty:
        header.description = f"A quiet day: nothing new since {timestamp(digest.since)}."
    else:
        channels = len(digest.sections)
        header.description = (
            f"{channels} channel{'s' if channels != 1 else ''} with activity from {timestamp(digest.since)} "
            f"to {timestamp(digest.until)} · model `{digest.model_key}`"
        )
    if digest.left_out:
        header.set_footer(text=f"{digest.left_out} configured channel(s) left out: their readers differ from this channel's.")
    embeds = [header]
    for section in digest.sections:
        summary = section.summary
        lines = summary_lines(summary, guild_id=digest.guild_id, channel_id=section.channel.id, max_links=2)[
            :DIGEST_BULLETS_PER_CHANNEL
        ] or ["(no bullet points)"]
        page = paginate_lines(lines, per_page=DIGEST_BULLETS_PER_CHANNEL, budget=DIGEST_SECTION_BUDGET)[0]
        embed = discord.Embed(title=safe_text(f"#{section.channel.name}", 250), description="\n".join(page), colour=DIGEST_COLOUR)
        notes = " ".join(safe_text(note, 200) for note in getattr(summary, "notes", None) or [])
        footer = f"{coverage_line(summary)} · {participants_line(summary.participants, 200)}" + (f" · {notes}" if notes else "")
        embed.set_footer(text=footer[:2048])
        embeds.append(embed)
    if digest.open_tasks:
        shown = digest.open_tasks[:DIGEST_TASKS_SHOWN]
        lines = [task_line(task, guild_id=digest.guild_id) for task in shown]
        page = paginate_lines(lines, per_page=DIGEST_TASKS_SHOWN, budget=DIGEST_SECTION_BUDGET)[0]
        more = len(digest.open_tasks) - len(page)
        embed = discord.Embed(title="Open tasks", description="\n".join(page), colour=TASK_COLOUR)
        if more > 0:
            embed.set_footer(text=f"and {more} more: /tasks status:open")
        embeds.append(embed)
    return embeds


def group_embeds(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages of at most 10 embeds and Discord's per-message character limit."""
    messages: list[list[discord.Embed]] = []
    current: list[discord.Embed] = []
    size = 0
    for embed in embeds:
        if current and (len(current) >= MESSAGE_EMBED_LIMIT or size + len(embed) > MESSAGE_CHARACTER_BUDGET):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += len(embed)
    if current:
        messages.append(current)
    return messages


def digest_messages(digest: Any) -> list[list[discord.Embed]]:
    return group_embeds(digest_embeds(digest))
