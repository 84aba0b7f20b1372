"""Digest settings and bookkeeping: times, timezones, which day a run covers, and one post per day."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services import digest, guild_settings
from bot.services.errors import InvalidInput
from bot.storage import db


@pytest.mark.parametrize(
    ("text", "expected"), [("09:00", (9, 0)), ("9:05", (9, 5)), ("23:59", (23, 59)), (" 00:00 ", (0, 0)), ("18h30", (18, 30))]
)
def test_digest_time_is_parsed(text, expected):
    assert digest.parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "noon", "", "9", "-1:00", "12:5", "💥"])
def test_invalid_digest_time_gets_one_clear_line(text):
    with pytest.raises(InvalidInput) as caught:
        digest.parse_time(text)
    assert "HH:MM" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "UTC", "utc", "Asia/Kolkata"])
def test_iana_timezones_are_accepted(name):
    assert guild_settings.valid_timezone(name) in (name, "UTC")


@pytest.mark.parametrize("name", ["Mars/Olympus", "CEST+2", "", "../../etc/passwd", "Europe", "Europe/Berlin; DROP TABLE"])
def test_invalid_timezone_gets_one_clear_line(name):
    with pytest.raises(InvalidInput) as caught:
        guild_settings.valid_timezone(name)
    assert "IANA" in str(caught.value)


def test_a_late_run_still_belongs_to_its_own_day():
    schedule = digest.DigestSchedule(hour=23, minute=50, timezone="Europe/Berlin")
    # 00:10 Berlin on 2 Jan is 23:10 UTC on 1 Jan: the latest digest moment is 1 Jan 23:50 Berlin.
    late = datetime(2026, 1, 1, 23, 10, tzinfo=UTC)
    fire = schedule.latest_fire(late)
    assert fire.date() == date(2026, 1, 1) and (fire.hour, fire.minute) == (23, 50)
    on_time = schedule.latest_fire(datetime(2026, 1, 1, 22, 50, tzinfo=UTC))
    assert on_time == fire


def test_digest_window_is_one_local_day_even_across_dst():
    schedule = digest.DigestSchedule(hour=9, minute=0, timezone="Europe/Berlin")
    fire = schedule.fire_time(date(2026, 3, 29))  # clocks go forward that night
    since, until = schedule.window(fire)
    assert until - since == timedelta(hours=23)
    assert until == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_channel_refs_accept_mentions_ids_and_names_and_name_the_unknown_one():
    names = {"general": 111111111111111111, "dev": 222222222222222222}
    known = set(names.values())
    assert digest.parse_channel_refs("<#111111111111111111>, #dev 111111111111111111", names, known) == [
        111111111111111111,
        222222222222222222,
    ]
    assert digest.parse_channel_refs("  ", names, known) == []
    with pytest.raises(InvalidInput) as caught:
        digest.parse_channel_refs("#general <#999999999999999999>", names, known)
    assert "<#999999999999999999>" in str(caught.value)


async def test_a_day_is_claimed_once_even_by_racing_runs(any_database_url):
    engine = db.create_engine(any_database_url)
    sessions = db.session_factory(engine)
    try:
        day = date(2026, 1, 1)
        results = await asyncio.gather(*(digest.claim_day(sessions, 7, day, 70) for _ in range(5)))
        assert sorted(results) == [False, False, False, False, True]
        # A failed post gives the day back; a confirmed one keeps it.
        await digest.release_day(sessions, 7, day)
        assert await digest.claim_day(sessions, 7, day, 70)
        await digest.confirm_day(sessions, 7, day, 12345)
        await digest.release_day(sessions, 7, day)
        assert not await digest.claim_day(sessions, 7, day, 70)
        assert await digest.claim_day(sessions, 7, day + timedelta(days=1), 70)
        async with sessions() as session:
            posts = await digest.posts_for(session, 7)
        assert [(p.digest_date, p.message_id) for p in posts] == [("2026-01-01", 12345), ("2026-01-02", None)]
    finally:
        await engine.dispose()


async def test_digest_settings_are_saved_and_disabled(any_database_url):
    engine = db.create_engine(any_database_url)
    sessions = db.session_factory(engine)
    try:
        schedule = digest.parse_schedule("08:30", "Europe/Berlin")
        async with sessions.begin() as session:
            await digest.save_config(session, guild_id=3, target_channel_id=30, schedule=schedule, source_channel_ids=[31, 32], user_id=9)
        async with sessions.begin() as session:
            await digest.save_config(session, guild_id=3, target_channel_id=33, schedule=schedule, source_channel_ids=[], user_id=9)
        async with sessions() as session:
            config = await digest.load_config(session, 3)
            assert (config.target_channel_id, config.time_of_day, config.source_channel_ids) == (33, "08:30", [])
            assert digest.schedule_of(config, "Europe/Berlin") == schedule
            assert [c.guild_id for c in await digest.enabled_configs(session)] == [3]
        async with sessions.begin() as session:
            assert await digest.disable(session, 3, 9)
            assert not await digest.disable(session, 3, 9)
        async with sessions() as session:
            assert await digest.enabled_configs(session) == []
    finally:
        await engine.dispose()
