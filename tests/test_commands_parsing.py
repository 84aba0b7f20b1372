"""Parsing and rendering behind the slash commands: windows, channel access, safe embeds and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import discord
import pytest

from bot.services.access import ADMINISTRATOR, VIEW_CHANNEL, ChannelAccess, Overwrite, audience_may_see, can_view
from bot.services.errors import InvalidInput
from bot.services.render import (
    BULLETS_PER_PAGE,
    PAGE_BUDGET,
    SummaryView,
    paginate_lines,
    participants_line,
    safe_text,
    summary_embeds,
)
from bot.services.windows import MAX_MESSAGES, USAGE, Window, parse_window, window_suggestions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last 50", Window(limit=50)),
        ("50", Window(limit=50)),
        ("  Last   20 messages ", Window(limit=20)),
        ("since 2h", Window(span=timedelta(hours=2))),
        ("2h", Window(span=timedelta(hours=2))),
        ("last 90 minutes", Window(span=timedelta(minutes=90))),
        ("since 3 days", Window(span=timedelta(days=3))),
        ("since my last message", Window(since_my_last_message=True)),
        ("my last", Window(since_my_last_message=True)),
        (None, Window(limit=100)),
        ("", Window(limit=100)),
    ],
)
def test_window_text_is_parsed(text, expected):
    assert parse_window(text) == expected


@pytest.mark.parametrize("text", ["yesterday-ish", "since forever", "last -5", "since 2 fortnights", "🙂", "x" * 4000])
def test_unparseable_window_gets_the_usage_line(text):
    with pytest.raises(InvalidInput) as caught:
        parse_window(text)
    assert str(caught.value) == USAGE


@pytest.mark.parametrize("text", ["0", f"last {MAX_MESSAGES + 1}", "since 0h", "since 31d", "since 9999w"])
def test_window_out_of_range_says_the_range(text):
    with pytest.raises(InvalidInput) as caught:
        parse_window(text)
    assert str(caught.value) != USAGE and "\n" not in str(caught.value)


def test_window_describes_itself_and_gives_its_start():
    now = datetime(2026, 1, 2, 12, tzinfo=UTC)
    assert parse_window("since 2h").since(now) == now - timedelta(hours=2)
    assert parse_window("last 5").since(now) is None
    assert parse_window("since 2h").describe() == "the last 2 hours"
    assert parse_window("last 5").describe() == "the last 5 messages"


def test_window_suggestions_offer_examples_and_echo_valid_input():
    assert "since my last message" in window_suggestions("since m")
    assert window_suggestions("last 77")[0] == "last 77"
    assert window_suggestions("nonsense") == []


# --- channel audience ----------------------------------------------------------------------

GUILD = 1
MODS = 2
MEMBERS = 3
MUTED = 4
BASE = VIEW_CHANNEL | discord.Permissions(read_message_history=True).value
ROLES = {GUILD: BASE, MODS: 0, MEMBERS: 0, MUTED: 0}


def access(**kwargs) -> ChannelAccess:
    return ChannelAccess(everyone_role_id=GUILD, role_permissions=dict(ROLES), **kwargs)


PUBLIC = access()
MODS_ONLY = access(everyone_overwrite=Overwrite(deny=VIEW_CHANNEL), role_overwrites={MODS: Overwrite(allow=VIEW_CHANNEL)})
MEMBERS_ONLY = access(everyone_overwrite=Overwrite(deny=VIEW_CHANNEL), role_overwrites={MEMBERS: Overwrite(allow=VIEW_CHANNEL)})
NOT_MUTED = access(role_overwrites={MUTED: Overwrite(deny=VIEW_CHANNEL)})


def test_view_permission_follows_discord_resolution():
    assert can_view(PUBLIC, [])
    assert not can_view(MODS_ONLY, [])
    assert can_view(MODS_ONLY, [MODS])
    assert not can_view(NOT_MUTED, [MUTED])
    # a role allow beats another role's deny
    assert can_view(access(role_overwrites={MUTED: Overwrite(deny=VIEW_CHANNEL), MODS: Overwrite(allow=VIEW_CHANNEL)}), [MUTED, MODS])
    admin = ChannelAccess(
        everyone_role_id=GUILD, role_permissions={**ROLES, 9: ADMINISTRATOR}, everyone_overwrite=Overwrite(deny=VIEW_CHANNEL)
    )
    assert can_view(admin, [9])
    assert not can_view(access(member_overwrites={42: Overwrite(deny=VIEW_CHANNEL)}), [], 42)


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        (PUBLIC, PUBLIC, True),
        (PUBLIC, MODS_ONLY, True),  # mods can read the public channel
        (MODS_ONLY, PUBLIC, False),  # the public would see a mods-only channel
        (MODS_ONLY, MODS_ONLY, True),
        (MODS_ONLY, MEMBERS_ONLY, False),
        (NOT_MUTED, PUBLIC, False),  # muted members see the target but not the source
        (access(members_only=True), MODS_ONLY, False),  # private threads never go into a digest
        (PUBLIC, access(member_overwrites={7: Overwrite(allow=VIEW_CHANNEL)}), True),
        (MODS_ONLY, access(everyone_overwrite=Overwrite(deny=VIEW_CHANNEL), member_overwrites={7: Overwrite(allow=VIEW_CHANNEL)}), False),
    ],
)
def test_digest_source_needs_everyone_who_sees_the_target_to_see_it(source, target, allowed):
    assert audience_may_see(source, target) is allowed


def test_a_role_combination_that_hides_the_source_is_found():
    # Target visible only to MEMBERS; source visible to everyone except MUTED. A member holding both
    # roles sees the target and not the source, though neither role alone shows that.
    assert audience_may_see(NOT_MUTED, MEMBERS_ONLY) is False


# --- safe text and pages -------------------------------------------------------------------


def test_safe_text_defuses_mass_mentions_links_and_length():
    text = safe_text("hey @everyone and @here, <@123456789012345678> <@&123456789012345678> [x](http://evil)\n" + "a" * 2000, 300)
    assert "@everyone" not in text and "@here" not in text
    assert "<@123456789012345678>" not in text and "<@&123456789012345678>" not in text
    assert "](" not in text
    assert "\n" not in text
    assert len(text) <= 300


def test_pages_respect_line_count_and_character_budget():
    lines = [f"line {i} " + "x" * 500 for i in range(30)]
    pages = paginate_lines(lines, per_page=BULLETS_PER_PAGE)
    assert [line for page in pages for line in page] == lines
    assert all(len(page) <= BULLETS_PER_PAGE for page in pages)
    assert all(sum(len(line) + 1 for line in page) <= PAGE_BUDGET for page in pages)
    assert paginate_lines([], per_page=5) == [[]]


def test_participants_line_fits_a_field():
    line = participants_line([f"user number {i}" for i in range(500)])
    assert len(line) <= 1024 and line.endswith("more")


@dataclass
class FakeBullet:
    text: str
    message_ids: list[int]


@dataclass
class FakeSummary:
    bullets: list[FakeBullet]
    participants: list[str]
    start: datetime
    end: datetime
    model_key: str = "extractive"
    messages_read: int = 40
    messages_total: int = 50
    chunks_total: int = 2
    chunks_cached: int = 1

    @property
    def coverage(self) -> float:
        return self.messages_read / self.messages_total


def test_summary_embeds_paginate_and_carry_jump_links_and_metadata():
    now = datetime(2026, 1, 2, 12, tzinfo=UTC)
    summary = FakeSummary(
        bullets=[FakeBullet(f"point {i} @everyone " + "y" * 600, [1000 + i]) for i in range(25)],
        participants=["Ana", "Bo"],
        start=now - timedelta(hours=1),
        end=now,
    )
    embeds = summary_embeds(
        summary, SummaryView(guild_id=5, channel_id=6, channel_label="#general", window_label="the last 50 messages", profile="fast")
    )
    assert len(embeds) > 1
    for number, embed in enumerate(embeds, start=1):
        assert len(embed) <= 6000 and len(embed.description) <= 4096
        assert embed.footer.text == f"Page {number}/{len(embeds)}"
        fields = {f.name: f.value for f in embed.fields}
        assert fields["Participants"] == "Ana, Bo"
        assert "40 of 50 messages (80%)" in fields["Coverage"]
        assert "`extractive`" in fields["Model"]
        assert f"<t:{int(summary.start.timestamp())}:f>" in fields["Time range"]
        assert "@everyone" not in embed.description
    text = "\n".join(e.description for e in embeds)
    for i in range(25):
        assert f"https://discord.com/channels/5/6/{1000 + i}" in text


@pytest.mark.parametrize("text", ["30m", "2h", "7d", "1w", "90 minutes", "since 3 days"])
def test_the_cli_and_the_slash_commands_read_a_span_the_same_way(text):
    from bot.cli._windows import parse_since

    now = datetime(2026, 1, 2, 12, tzinfo=UTC)
    assert parse_since(text, now) == now - parse_window(text).span
