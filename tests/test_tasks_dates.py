"""Deadline phrases resolve against the message time in the guild's IANA zone, correctly across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.tasks.dates import find_due, resolve_due


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def due(phrase: str, said_at_utc: str, tz: str = "UTC") -> str | None:
    at = resolve_due(phrase, utc(said_at_utc), tz)
    return at.isoformat() if at else None


def test_tomorrow_eod_at_2330_in_new_york_on_the_day_before_dst_ends():
    # Saturday 2 Nov 2024, 23:30 EDT (03:30 UTC on the 3rd); clocks go back at 02:00 on the 3rd.
    said = "2024-11-03T03:30:00"
    assert due("tomorrow EOD", said, "America/New_York") == "2024-11-03T17:00:00-05:00"  # EST after the change
    assert resolve_due("tomorrow EOD", utc(said), "America/New_York").astimezone(UTC) == utc("2024-11-03T22:00:00")
    # The same instant in UTC is already the 3rd, so "tomorrow" is the 4th.
    assert due("tomorrow EOD", said, "UTC") == "2024-11-04T17:00:00+00:00"


def test_tomorrow_morning_across_the_spring_change_keeps_the_wall_clock_time():
    # Saturday 8 Mar 2025 20:00 PST; DST starts at 02:00 on Sunday the 9th.
    assert due("tomorrow morning", "2025-03-09T04:00:00", "America/Los_Angeles") == "2025-03-09T09:00:00-07:00"
    assert due("in 2 days", "2025-03-09T04:00:00", "America/Los_Angeles") == "2025-03-10T17:00:00-07:00"


def test_southern_hemisphere_dst_end():
    # Friday 5 Apr 2024 in Sydney; DST ends Sunday the 7th at 03:00 (+11 -> +10).
    assert due("by sunday", "2024-04-05T00:00:00", "Australia/Sydney") == "2024-04-07T17:00:00+10:00"
    assert due("by next wednesday", "2024-04-05T00:00:00", "Australia/Sydney") == "2024-04-10T17:00:00+10:00"


@pytest.mark.parametrize(
    "phrase, expected",
    [
        # Said on Tuesday 12 March 2024, 10:00 in Berlin.
        ("by friday", "2024-03-15T17:00:00+01:00"),
        ("on tuesday", "2024-03-12T17:00:00+01:00"),  # today is Tuesday
        ("next friday", "2024-03-22T17:00:00+01:00"),  # the Friday of next week
        ("today", "2024-03-12T17:00:00+01:00"),
        ("tonight", "2024-03-12T21:00:00+01:00"),
        ("tomorrow at 3pm", "2024-03-13T15:00:00+01:00"),
        ("by 9am tomorrow", "2024-03-13T09:00:00+01:00"),
        ("by 3pm", "2024-03-12T15:00:00+01:00"),
        ("by 8am", "2024-03-13T08:00:00+01:00"),  # already past: tomorrow
        ("by end of week", "2024-03-15T17:00:00+01:00"),
        ("next week", "2024-03-22T17:00:00+01:00"),
        ("end of month", "2024-03-31T17:00:00+02:00"),  # after Europe's spring change on the 31st
        ("end of next month", "2024-04-30T17:00:00+02:00"),
        ("in 2 days", "2024-03-14T17:00:00+01:00"),
        ("in 3 hours", "2024-03-12T13:00:00+01:00"),
        ("in a couple of weeks", "2024-03-26T17:00:00+01:00"),
        ("by March 20th", "2024-03-20T17:00:00+01:00"),
        ("by 20 March", "2024-03-20T17:00:00+01:00"),
        ("by Jan 5", "2025-01-05T17:00:00+01:00"),  # already past this year
        ("by 2024-04-02", "2024-04-02T17:00:00+02:00"),
        ("by 4/2", "2024-04-02T17:00:00+02:00"),
        ("on the 11th", "2024-04-11T17:00:00+02:00"),  # the 11th has passed this month
        ("moves to the 11th", "2024-04-11T17:00:00+02:00"),
        ("thurs eod", "2024-03-14T17:00:00+01:00"),  # the day's end, not today's
        ("sat morning", "2024-03-16T17:00:00+01:00"),
        ("this arvo", "2024-03-12T17:00:00+01:00"),
        ("on the friday after work", "2024-03-15T17:00:00+01:00"),
    ],
)
def test_relative_and_explicit_deadlines(phrase, expected):
    assert due(phrase, "2024-03-12T09:00:00", "Europe/Berlin") == expected


@pytest.mark.parametrize("phrase, text", [("next sprint", "next sprint"), ("before the release", "before the release"), ("ASAP", "ASAP")])
def test_deadlines_that_are_not_dates_keep_their_text(phrase, text):
    found = find_due(f"I'll finish it {phrase}", utc("2024-03-12T09:00:00"), "UTC")
    assert found.at is None and found.text == text


def test_phrases_that_only_look_like_deadlines_are_not_deadlines():
    said = utc("2024-11-01T13:00:00")
    assert find_due("roll back the 01:55 deploy", said) is None
    assert find_due("3/4 of the tests pass", said) is None
    # A preposition wins over a weekday inside a name.
    assert find_due("draft the black friday newsletter by tuesday", said).text == "tuesday"


def test_the_message_time_must_be_aware_and_the_zone_real():
    with pytest.raises(ValueError, match="aware"):
        find_due("tomorrow", datetime(2024, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="unknown timezone"):
        find_due("tomorrow", utc("2024-01-01T12:00:00"), "Europe/Atlantis")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("I'll make a packing list before the weekend", "2025-10-31T17:00:00-04:00"),  # the Friday, not the Sunday
        ("by the weekend", "2025-10-31T17:00:00-04:00"),
        ("sometime early next week", "2025-11-04T17:00:00-05:00"),  # after the clocks go back on the 2nd
        ("by mid november", "2025-11-15T17:00:00-05:00"),
        ("I'll run it after lunch", "2025-10-30T14:00:00-04:00"),
        ("the day after tomorrow", "2025-11-01T17:00:00-04:00"),
        ("within the hour", "2025-10-30T12:00:00-04:00"),
        ("I'll take the crash spike first thing", "2025-10-31T09:00:00-04:00"),  # the next morning
        ("update the incident note before the 2pm sync", "2025-10-30T14:00:00-04:00"),
        ("ok but I'm off wed-thu, will do it friday", "2025-10-31T17:00:00-04:00"),
    ],
)
def test_loose_deadline_phrases_resolve_to_the_day_people_mean(phrase, expected):
    # Thursday 30 Oct 2025, 11:00 in New York; US DST ends on Sunday 2 Nov.
    assert due(phrase, "2025-10-30T15:00:00", "America/New_York") == expected


@pytest.mark.parametrize(
    "phrase",
    [
        "can you get quotes for the friday dinner",
        "call the council about the hall booking for april 5",
        "tickets for saturday",
        "i can book a study room in the library for sunday tho",  # the day booked
        "book the church hall for the AGM on 8 March",
        "i'll ask Lotus if they can move fri earlier",  # the day being moved
        "ok but I'm off wed-thu for thanksgiving",  # the days away
        "watch our ascent VOD from sunday",  # where it came from
    ],
)
def test_a_date_naming_the_event_is_not_a_deadline(phrase):
    assert due(phrase, "2025-10-30T15:00:00", "America/New_York") is None


@pytest.mark.parametrize(
    "phrase, expected",
    [
        # Said on Monday 4 May 2026: the day of the month settles which Friday, with or without "by".
        ("fri 15th", "2026-05-15"),
        ("timetable can come to me by fri 15th instead", "2026-05-15"),
        ("on sat 16th", "2026-05-16"),
        ("Rebuttal deadline is Friday 12 June AoE", "2026-06-12"),
        ("by friday, 15 may", "2026-05-15"),
        ("by friday", "2026-05-08"),
    ],
)
def test_a_weekday_with_its_date_is_that_date(phrase, expected):
    found = find_due(phrase, utc("2026-05-04T14:00:00"), "UTC")
    assert found is not None and found.at is not None and found.at.date().isoformat() == expected


@pytest.mark.parametrize(
    "phrase, expected",
    [
        # Said on Monday 4 May 2026 at 14:00 UTC.
        ("get everyone's sizes and numbers together by thursday so ollie's got them", "2026-05-07T17:00:00+00:00"),
        ("register us on devpost before 9?", "2026-05-04T21:00:00+00:00"),  # 9am has passed: 9pm
        ("ring Declan on my lunch break", "2026-05-05T12:00:00+00:00"),  # today's lunch is over
    ],
)
def test_apostrophes_are_not_quotes_a_bare_hour_and_my_lunch_break(phrase, expected):
    assert due(phrase, "2026-05-04T14:00:00") == expected


def test_a_bare_number_that_is_not_an_hour_is_not_a_deadline():
    assert find_due("we need it by 3 people at least", utc("2026-05-04T14:00:00"), "UTC") is None


def test_the_morning_of_a_date_and_an_extension_are_read_as_they_are_meant():
    said = datetime(2025, 6, 4, 9, 31, tzinfo=UTC)
    due = find_due("cut 2.4.2 and 2.3.9 on the morning of the 12th", said, "UTC")
    assert due is not None and due.at is not None and due.at.date() == datetime(2025, 6, 12).date()
    # The new end of a sale is not when the work is due.
    assert find_due("extend HOLIDAY25 to monday", said, "UTC") is None
    assert find_due("extend the sale until sunday", said, "UTC") is None
