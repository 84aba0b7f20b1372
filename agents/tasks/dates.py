"""Deadline phrases ("by Friday", "tomorrow EOD", "in 2 days", "Oct 3", "next sprint") found in text and resolved to local times."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A deadline given as a day means the end of that working day; a part of the day gets its own hour.
END_OF_DAY = time(17, 0)
PART_OF_DAY = {
    "morning": time(9, 0),
    "noon": time(12, 0),
    "lunch": time(12, 0),
    "afternoon": time(17, 0),
    "evening": time(21, 0),
    "night": time(21, 0),
    "tonight": time(21, 0),
    "midnight": time(23, 59),
}
# "this morning" is said during the morning: its deadline is its end, not its start.
THIS_MORNING = time(12, 0)

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}

_PREP = r"(?:(?:by|before|until|till|til|on|for|due|due on|due by|no later than|latest by|around)\s+)?"
_PART = r"(?:\s+(?:at\s+)?(?P<part>morning|noon|lunch|afternoon|evening|night|midnight|eod|cob|end of (?:the )?day))?"
# Abbreviated Saturday/Sunday only after a preposition: "sat" and "sun" are ordinary words.
_WEEKDAY = r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|weds|wed|thurs|thur|thu|fri)"
_WEEKDAY_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|weds|wed|thurs|thur|thu|fri"
_MONTH = r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_CLOCK = r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)"
_CLOCK24 = r"(?P<h>[01]?\d|2[0-3]):(?P<m>\d{2})"
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}

# Deadlines that are not dates: kept as text, with no time. Sprint lengths differ per team.
_FUZZY = (
    r"(?:(?:by|before|until|for|in|during)\s+)?(?P<fuzzy>"
    r"(?:the\s+)?(?:next|this|current|end of (?:the |this |next )?)\s*sprint"
    r"|(?:the\s+)?next\s+(?:release|version|milestone|iteration|cycle)"
    r"|(?:before|after)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:release|launch|demo|meeting|standup|stand-up|deploy|freeze|cut|cutoff|review|call|event|retro|planning|lunch|break|sync)"
    r"|asap|as soon as possible)\b"
)


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline phrase: its text as written (without "by"), where it was, and its local time when it names one."""

    text: str
    at: datetime | None
    start: int
    end: int


def zone(name: str | ZoneInfo) -> ZoneInfo:
    """The IANA zone `name`; ValueError (one line) when it does not exist."""
    if isinstance(name, ZoneInfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown timezone {name!r} (use an IANA name like Europe/Berlin)") from exc


def _at(day: date, when: time, tz: tzinfo | None) -> datetime:
    # Wall-clock time on that local day: zoneinfo applies the offset in force then (DST-correct).
    return datetime.combine(day, when, tzinfo=tz)


def _part_time(part: str | None, *, today: bool = False) -> time:
    if not part:
        return END_OF_DAY
    part = part.strip()
    if part in ("eod", "cob") or part.startswith("end of"):
        return END_OF_DAY
    if part == "morning" and today:
        return THIS_MORNING
    return PART_OF_DAY.get(part, END_OF_DAY)


def _clock(match: re.Match) -> time | None:
    hour = int(match.group("h"))
    minute = int(match.group("m") or 0)
    ampm = (match.groupdict().get("ampm") or "").replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _end_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weekday_date(today: date, weekday: int, qualifier: str | None) -> date:
    """`weekday` relative to `today`: the coming one (today counts), or with "next" the one in next week."""
    if qualifier == "next":
        return _week_monday(today) + timedelta(days=7 + weekday)
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead)


def _year_for(today: date, month: int, day: int) -> date | None:
    """The next `month`/`day` on or after today (a deadline is in the future)."""
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _number(text: str) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    return _NUMBER_WORDS.get(text)


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern
    resolve: Callable[[re.Match, datetime], datetime | None]


def _rules() -> list[_Rule]:
    rules: list[_Rule] = []

    def rule(pattern: str):
        def register(fn):
            rules.append(_Rule(re.compile(pattern, re.IGNORECASE), fn))
            return fn

        return register

    @rule(rf"\b{_PREP}(?:the\s+)?day after (?:tomorrow|tmrw|tmr){_PART}\b")
    def _day_after_tomorrow(m, now):
        return _at(now.date() + timedelta(days=2), _part_time(_lower(m, "part")), now.tzinfo)

    @rule(rf"\b(?:(?:by|before|until|at)\s+)?{_CLOCK}\s+(?:on\s+)?(?P<rel>tomorrow|tmrw|today|tonight|{_WEEKDAY_NAMES})\b")
    def _clock_then_day(m, now):
        clock = _clock(m)
        if clock is None:
            return None
        rel = m.group("rel").lower()
        if rel in ("tomorrow", "tmrw"):
            day = now.date() + timedelta(days=1)
        elif rel in ("today", "tonight"):
            day = now.date()
        else:
            day = _weekday_date(now.date(), WEEKDAYS[rel], None)
        return _at(day, clock, now.tzinfo)

    @rule(rf"\b{_PREP}(?P<tm>tomorrow|tomorow|tommorow|tmrw|tmr|2morrow)(?:\s+(?P<tm2>at\s+)?(?:{_CLOCK}))?{_PART}\b")
    def _tomorrow(m, now):
        day = now.date() + timedelta(days=1)
        if m.group("h"):
            clock = _clock(m)
            return _at(day, clock, now.tzinfo) if clock else None
        return _at(day, _part_time(_lower(m, "part")), now.tzinfo)

    # "I'll take the crash spike first thing": the next morning (this one, when said before nine).
    @rule(r"\bfirst thing(?:\s+in the morning)?(?=\s*(?:$|[,.!;:)\u2014-]|\s(?:and|then|so|pls|please|if)\b))")
    def _first_thing(m, now):
        day = now.date() if now.hour < 9 else now.date() + timedelta(days=1)
        return _at(day, time(9, 0), now.tzinfo)

    # "update the incident note before the 2pm sync": that hour today (tomorrow when it has passed).
    @rule(
        rf"\b(?:before|by|after|ahead of)\s+(?:the|our|my|today's)\s+{_CLOCK}\s+(?:sync|standup|stand-up|call|meeting|review|demo|check-?in|huddle)\b"
    )
    def _before_clock_event(m, now):
        clock = _clock(m)
        if clock is None:
            return None
        day = now.date() if (clock.hour, clock.minute) > (now.hour, now.minute) else now.date() + timedelta(days=1)
        return _at(day, clock, now.tzinfo)

    @rule(
        rf"\b{_PREP}(?P<word>today|tonight|this (?:morning|afternoon|evening|arvo)|eod|cob|eob|(?:the )?end of (?:the |business )?day|close of business|end of business)\b"
    )
    def _today(m, now):
        word = m.group("word").lower()
        if word == "tonight":
            when = PART_OF_DAY["tonight"]
        elif word.startswith("this "):
            when = _part_time(word[5:], today=True)
        else:
            when = END_OF_DAY
        return _at(now.date(), when, now.tzinfo)

    @rule(
        r"\b(?:(?:by|before|until|within|in)\s+)?(?:the\s+)?end of (?P<which>the |this |next )?(?P<unit>week|month|quarter|year)\b|\b(?:by\s+)?(?P<abbr>eow|eom|eoq|eoy)\b"
    )
    def _end_of(m, now):
        today = now.date()
        unit = (m.group("unit") or {"eow": "week", "eom": "month", "eoq": "quarter", "eoy": "year"}[m.group("abbr").lower()]).lower()
        shift = 1 if (m.group("which") or "").strip().lower() == "next" else 0
        if unit == "week":
            friday = _week_monday(today) + timedelta(days=4 + 7 * shift)
            if friday < today:  # said at the weekend: the end of the coming week
                friday += timedelta(days=7)
            return _at(friday, END_OF_DAY, now.tzinfo)
        if unit == "month":
            return _at(_end_of_month(_add_months(today.replace(day=1), shift)), END_OF_DAY, now.tzinfo)
        if unit == "quarter":
            last_month = ((today.month - 1) // 3 + 1) * 3
            first = _add_months(date(today.year, last_month, 1), 3 * shift)
            return _at(_end_of_month(first), END_OF_DAY, now.tzinfo)
        return _at(date(today.year + shift, 12, 31), END_OF_DAY, now.tzinfo)

    @rule(r"\b(?:before|by)\s+(?:the|this)\s+weekend\b")
    def _before_weekend(m, now):
        # Before the weekend is the last working day ahead of it, not its Sunday.
        today = now.date()
        friday = _week_monday(today) + timedelta(days=4)
        return _at(friday if friday >= today else friday + timedelta(days=7), END_OF_DAY, now.tzinfo)

    @rule(r"\b(?:by\s+)?early next week\b")
    def _early_next_week(m, now):
        return _at(_week_monday(now.date()) + timedelta(days=8), END_OF_DAY, now.tzinfo)

    @rule(rf"\b(?:by\s+|in\s+)?mid(?:-|\s+){_MONTH}")
    def _mid_month(m, now):
        month = MONTHS[m.group("mon").lower()[:3]]
        found = _year_for(now.date(), month, 15)
        return _at(found, END_OF_DAY, now.tzinfo) if found else None

    @rule(r"\b(?P<which>after|before|at|over)\s+lunch(?:\s*time)?\b(?!\s+(?:on|tomorrow|tmrw)\b)")
    def _lunch(m, now):
        which = m.group("which").lower()
        when = {"after": time(14, 0), "before": time(12, 0)}.get(which, time(13, 0))
        return _at(now.date() if which == "before" or now.hour < 14 else now.date() + timedelta(days=1), when, now.tzinfo)

    @rule(r"\bwithin the (?:hour|next hour)\b")
    def _within_hour(m, now):
        return now + timedelta(hours=1)

    @rule(rf"\b{_PREP}(?P<which>this|next|the)\s+(?P<unit>week|weekend|month)\b")
    def _this_next(m, now):
        today = now.date()
        which, unit = m.group("which").lower(), m.group("unit").lower()
        if unit == "weekend":
            sunday = _week_monday(today) + timedelta(days=6 + (7 if which == "next" else 0))
            return _at(sunday, END_OF_DAY, now.tzinfo)
        if which == "the":
            return None
        shift = 1 if which == "next" else 0
        if unit == "week":
            friday = _week_monday(today) + timedelta(days=4 + 7 * shift)
            return _at(max(friday, today), END_OF_DAY, now.tzinfo)
        return _at(_end_of_month(_add_months(today.replace(day=1), shift)), END_OF_DAY, now.tzinfo)

    @rule(
        r"\b(?:in|within)\s+(?P<n>\d+|a couple of|a couple|a few|couple of|few|an|a|one|two|three|four|five|six|seven)\s+"
        r"(?:more\s+)?(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|weeks?|fortnight|months?)\b"
    )
    def _in(m, now):
        count = _number(m.group("n").lower())
        unit = m.group("unit").lower().rstrip("s")
        if count is None:
            return None
        if unit in ("minute", "min"):
            return now + timedelta(minutes=count)
        if unit in ("hour", "hr", "h"):
            return now + timedelta(hours=count)
        if unit == "month":
            return _at(_add_months(now.date(), count), END_OF_DAY, now.tzinfo)
        return _at(now.date() + timedelta(days=count * UNIT_DAYS[unit]), END_OF_DAY, now.tzinfo)

    @rule(r"\b(?:by|before|until|due|on)\s+(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\b|\b(?P<y2>\d{4})-(?P<mo2>\d{2})-(?P<d2>\d{2})\b")
    def _iso(m, now):
        year, month, day = (m.group("y") or m.group("y2")), (m.group("mo") or m.group("mo2")), (m.group("d") or m.group("d2"))
        try:
            return _at(date(int(year), int(month), int(day)), END_OF_DAY, now.tzinfo)
        except ValueError:
            return None

    @rule(rf"\b{_PREP}(?:the\s+)?{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b")
    def _month_day(m, now):
        return _explicit(m, now)

    @rule(rf"\b{_PREP}(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<y>\d{{4}}))?\b")
    def _day_month(m, now):
        return _explicit(m, now)

    # Numeric dates only after a preposition ("3/4 of the tests" is not a date); month first, as
    # most English writers do, unless the first number cannot be a month.
    @rule(r"\b(?:by|before|until|till|on|due)\s+(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{2,4}))?\b")
    def _numeric(m, now):
        first, second = int(m.group("a")), int(m.group("b"))
        month, day = (first, second) if first <= 12 else (second, first)
        year = m.group("y")
        try:
            if year:
                year_number = int(year) + (2000 if len(year) == 2 else 0)
                return _at(date(year_number, month, day), END_OF_DAY, now.tzinfo)
        except ValueError:
            return None
        found = _year_for(now.date(), month, day)
        return _at(found, END_OF_DAY, now.tzinfo) if found else None

    # "friday 12 june", "by fri, 15 may": the date, with its day named.
    @rule(
        rf"\b{_PREP}(?:{_WEEKDAY_NAMES}|sat|sun),?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<y>\d{{4}}))?\b"
    )
    def _weekday_day_month(m, now):
        return _explicit(m, now)

    # "by Monday the 10th", "before friday the 3rd", "fri 28th": the day of the month settles which Monday.
    @rule(
        rf"\b{_PREP}(?:{_WEEKDAY_NAMES}|sat|sun)\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)\b|\b(?:by|before|until|till|on|for|to)\s+the\s+(?:(?:morning|afternoon|evening|night|end)\s+of\s+the\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)\b"
    )
    def _day_of_month(m, now):
        today, wanted = now.date(), int(m.group("d") or m.group("d2"))
        if not 1 <= wanted <= 31:
            return None
        month_start = today.replace(day=1)
        for shift in (0, 1, 2):
            first = _add_months(month_start, shift)
            if wanted <= calendar.monthrange(first.year, first.month)[1]:
                candidate = first.replace(day=wanted)
                if candidate >= today:
                    return _at(candidate, END_OF_DAY, now.tzinfo)
        return None

    @rule(
        rf"\b{_PREP}(?:(?P<q>this|next|coming|the coming)\s+)?{_WEEKDAY}\b(?:\s+(?:at\s+)?(?:{_CLOCK}))?{_PART}\b"
        r"|\b(?:by|before|until|on)\s+(?P<wd2>sat|sun)\b"
        # "sat morning", "sun night": the short day named with a part of it
        r"|\b(?P<wd3>sat|sun)(?=\s+(?:morning|afternoon|evening|night|am|pm)\b)"
    )
    def _weekday(m, now):
        name = (m.group("wd") or m.group("wd2") or m.group("wd3")).lower()
        qualifier = (m.group("q") or "").replace("the ", "").lower() or None
        day = _weekday_date(now.date(), WEEKDAYS[name], "next" if qualifier == "next" else None)
        if m.group("h"):
            clock = _clock(m)
            return _at(day, clock, now.tzinfo) if clock else None
        return _at(day, _part_time(_lower(m, "part")), now.tzinfo)

    @rule(rf"\b(?:by|before|until|at|around)\s+(?:{_CLOCK}|(?P<word>noon|midday|midnight))")
    def _clock_only(m, now):
        clock: time | None
        if m.group("word"):
            word = m.group("word").lower()
            clock = PART_OF_DAY["midnight"] if word == "midnight" else time(12, 0)
        else:
            clock = _clock(m)
        if clock is None:
            return None
        candidate = _at(now.date(), clock, now.tzinfo)
        # "by 3pm" said at 4pm means tomorrow's 3pm.
        return candidate if candidate > now else _at(now.date() + timedelta(days=1), clock, now.tzinfo)

    # "register us on devpost before 9?": a bare hour, the next time it comes round (not "by 3 people").
    @rule(r"\b(?:by|before)\s+(?P<h>[1-9]|1[0-2])(?P<m>)(?=\s*(?:$|[?!.,;)]|\s+(?:so|pls|please|then|or|and)\b))")
    def _bare_hour(m, now):
        hour = int(m.group("h"))
        for candidate in (hour, hour + 12):
            at = _at(now.date(), time(candidate % 24, 0), now.tzinfo)
            if at > now:
                return at
        return _at(now.date() + timedelta(days=1), time(hour, 0), now.tzinfo)

    # "ring Declan on my lunch break": today's lunch (tomorrow's once it has passed).
    @rule(r"\b(?:on|during|in|at)\s+my\s+lunch(?:\s+break)?\b")
    def _my_lunch(m, now):
        return _at(now.date() if now.hour < 14 else now.date() + timedelta(days=1), time(12, 0), now.tzinfo)

    @rule(rf"\b(?:by|before|until|at)\s+{_CLOCK24}\b")
    def _clock_24(m, now):
        clock = _clock(m)
        if clock is None:
            return None
        candidate = _at(now.date(), clock, now.tzinfo)
        return candidate if candidate > now else _at(now.date() + timedelta(days=1), clock, now.tzinfo)

    return rules


def _lower(match: re.Match, group: str) -> str | None:
    value = match.groupdict().get(group)
    return value.lower() if value else None


def _explicit(m: re.Match, now: datetime) -> datetime | None:
    month = MONTHS[m.group("mon").lower().rstrip(".")]
    day = int(m.group("d"))
    if m.group("y"):
        try:
            return _at(date(int(m.group("y")), month, day), END_OF_DAY, now.tzinfo)
        except ValueError:
            return None
    found = _year_for(now.date(), month, day)
    return _at(found, END_OF_DAY, now.tzinfo) if found else None


_RULES = _rules()
_FUZZY_PATTERN = re.compile(_FUZZY, re.IGNORECASE)
_LEADING_PREPOSITION = re.compile(
    r"^(?:by|before|until|till|til|on|for|due on|due by|due|no later than|latest by|around|within|at)\s+", re.IGNORECASE
)


def _clean_text(raw: str) -> str:
    text = _LEADING_PREPOSITION.sub("", raw.strip())
    return re.sub(r"\s+", " ", text)


_PREPOSITION_BEFORE = re.compile(
    r"\b(?:by|before|until|till|til|on|for|due|no later than|within|in|at)\s+$|^(?:by|before|until|till|til|on|for|due|within|in)\b",
    re.IGNORECASE,
)
# Words that mean a deadline on their own, without a preposition.
_SELF_STANDING = re.compile(
    r"^(?:today|tonight|tomorrow|tmrw|tmr|eod|eow|eom|cob|this |next |end of|in |(?:the )?day after|early next|mid|after lunch|before lunch|within)",
    re.IGNORECASE,
)


def _has_preposition(text: str, due: Due) -> bool:
    phrase = text[due.start : due.end]
    return bool(
        _PREPOSITION_BEFORE.search(phrase)
        or _PREPOSITION_BEFORE.search(text[max(0, due.start - 20) : due.start])
        or _SELF_STANDING.match(due.text)
    )


_EVENT_AFTER = re.compile(
    r"^\s+(?!(?:morning|noon|lunch|afternoon|evening|night|at|by|before|eod|or|and|is|works|then)\b)[a-z]{3,}", re.IGNORECASE
)


# "the hall booking for april 5", "tickets for saturday": the date of the thing booked, not of the work.
_EVENT_BEFORE = re.compile(r"\b(?:booking|bookings|reservation|reservations|tickets?|seats?|hall|venue)\s+$", re.IGNORECASE)

_AWAY = re.compile(
    r"\b(?:i'm|im|i am|i'll be|ill be|i will be|i'm going to be|we're|we are)\s+(?:off|out|away|ooo|on leave|on holiday|"
    r"on vacation|travell?ing|offline)\s+(?:on\s+|from\s+|all\s+|this\s+|next\s+)?$",
    re.IGNORECASE,
)
_BOOKED_FOR_EVENT = re.compile(
    r"\b(?:booking|hall|venue|tickets?|room|table|seats?|pitch|court)\s+for\s+(?:the\s+|our\s+|a\s+)?[\w'-]+(?:\s+[\w'-]+)?\s+on\s+$",
    re.IGNORECASE,
)


def _names_an_event(text: str, due: Due) -> bool:
    before = text[max(0, due.start - 40) : due.start]
    phrase = text[due.start : due.end].lower()
    if (phrase.startswith("for ") or before.lower().endswith("for ")) and _EVENT_BEFORE.search(re.sub(r"for\s+$", "", before)):
        return True
    # "i can book a study room in the library for sunday", "book the cottage for the hen weekend": the day booked.
    if (phrase.startswith("for ") or before.lower().endswith("for ")) and re.search(
        r"\b(?:book|booking|reserve|reserving|rent|renting|hire|hiring)\b", text[max(0, due.start - 60) : due.start], re.IGNORECASE
    ):
        return True
    # "shall i book 5 nights 15-20 dec?": the end of a stretch of days, not a deadline.
    if re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\s*(?:-|\u2013|to|till|until)\s*$", before, re.IGNORECASE):
        return True
    # "i'll ask Lotus if they can move fri earlier": the day being moved, not a deadline.
    if re.search(r"\b(?:move|moving|shift|reschedule|push|swap)\s+(?:the\s+)?$", before, re.IGNORECASE):
        return True
    # "extend HOLIDAY25 to monday", "extend the sale until sunday": the new end of the thing, not when the work is due.
    extension = re.search(r"\bextend(?:ing|ed)?\b[^,.;!?]{0,40}$", before, re.IGNORECASE)
    if (
        extension
        and re.match(r"(?:to|until|till|thru|through)\b", phrase)
        or re.search(r"\bextend(?:ing|ed)?\b[^,.;!?]{0,40}\b(?:to|until|till|thru|through)\s+$", before, re.IGNORECASE)
    ):
        return True
    # "watch our VOD from sunday": where something came from, not a deadline ("from monday to friday" is a span).
    if (
        re.fullmatch(_WEEKDAY_NAMES + "|yesterday|last night", due.text.lower())
        and before.lower().endswith(("from ", "since "))
        and not re.match(r"\s*(?:to|until|till|-|\u2013|through|thru|onwards?)\b", text[due.end :], re.IGNORECASE)
    ):
        return True
    # "I'm off wed-thu for thanksgiving, will do it friday": when the speaker is away, not a deadline.
    # "off wed-thu": the range's second day too.
    ranged = re.sub(r"\b(?:" + _WEEKDAY_NAMES + r")\s*(?:-|\u2013|to|through|thru|and|&)\s*$", "", before, flags=re.IGNORECASE)
    if _AWAY.search(ranged + ("on " if phrase.startswith("on ") else "")):
        return True
    # "book the church hall for the AGM on 8 March": the day of the event booked for.
    if _BOOKED_FOR_EVENT.search(before + ("on " if phrase.startswith("on ") else "")):
        return True
    # "after tuesday's deploy", "the event for saturday's contest": the day of something else, not a deadline
    # ("before friday's demo" is one).
    if (
        re.fullmatch(r"(?:(?:next|this|last)\s+)?(?:" + _WEEKDAY_NAMES + ")|yesterday|today", due.text.lower())
        and re.match(r"['\u2019]s\b", text[due.end :])
        and re.search(r"\b(?:after|since|from|in|during|at|for)\s+$", before.lower())
    ):
        return True
    if re.search(r"\b(?:before|by|until|till)\s+(?:the|our|your)\s+$", before, re.IGNORECASE):
        return False  # "before the thursday demo", "by the friday call": that day is the deadline
    before = before[-5:].lower()
    # "the friday dinner", "for tuesday practices": a day naming an event.
    return (
        (before.endswith("the ") and not text[: due.start].lower().endswith("on the ") or before.endswith("for "))
        and bool(re.fullmatch(_WEEKDAY_NAMES, due.text.lower()))
        and bool(_EVENT_AFTER.match(text[due.end :]))
    )


def find_due(text: str, said_at: datetime, timezone: str | ZoneInfo = "UTC") -> Due | None:
    """The first deadline in `text`, resolved against `said_at` (aware) in the IANA `timezone`.

    The result's `at` is an aware datetime in that zone, or None for deadlines that are not dates
    ("next sprint", "ASAP"); `text` is the phrase without its preposition ("by Friday" -> "Friday").
    """
    tz = zone(timezone)
    if said_at.tzinfo is None:
        raise ValueError("said_at must be timezone-aware")
    now = said_at.astimezone(tz)
    found: list[Due] = []
    for rule in _RULES:
        for match in rule.pattern.finditer(text):
            at = rule.resolve(match, now)
            if at is not None:
                found.append(Due(_clean_text(match.group(0)), at.astimezone(tz), match.start(), match.end()))
    for match in _FUZZY_PATTERN.finditer(text):
        # "before the release" keeps its "before": without it the phrase means something else.
        found.append(Due(re.sub(r"\s+", " ", match.group("fuzzy")), None, match.start(), match.end()))
        break
    # "the friday dinner", "the monday sync": a day naming an event, not a deadline.
    found = [due for due in found if not _names_an_event(text, due)]
    # "put up a 'preorders close sunday' post": words quoted are a title, not a deadline.
    # (Apostrophes inside words, as in "everyone's ... ollie's", open and close nothing.)
    quoted = [
        m.span()
        for m in re.finditer(
            r"(?<!\w)'[^']{2,80}'(?!\w)|\"[^\"]{2,80}\"|\u201c[^\u201d]{2,80}\u201d|(?<!\w)\u2018[^\u2019]{2,80}\u2019(?!\w)", text
        )
    ]
    found = [due for due in found if not any(start < due.start and due.end <= end for start, end in quoted)]
    if not found:
        return None
    # A phrase with a preposition ("by Tuesday") beats a bare one ("the Black Friday sale"); then
    # the longest phrase at the earliest place wins ("tomorrow at 3pm" over "3pm").
    found.sort(key=lambda due: (not _has_preposition(text, due), due.start, -(due.end - due.start)))
    first = found[0]
    # A phrase overlapping the first one and reaching further describes the same deadline.
    for other in found[1:]:
        if other.start < first.end and other.end > first.end and other.at is not None and first.at is None:
            first = other
        elif first.at is None and other.at is not None and first.start <= other.start and other.end <= first.end:
            first = Due(first.text, other.at, first.start, first.end)  # "before the thursday demo": by thursday
        elif (
            other.at is not None
            and other.start <= first.start
            and first.end <= other.end
            and other.end - other.start > first.end - first.start
        ):
            first = other  # "thurs eod": the day and its end, not "eod" today
    return first


def resolve_due(text: str, said_at: datetime, timezone: str | ZoneInfo = "UTC") -> datetime | None:
    """The local deadline `text` names when said at `said_at`, or None."""
    due = find_due(text, said_at, timezone)
    return due.at if due else None
