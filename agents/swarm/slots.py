"""Deterministic readers of option values: channels, windows, times, timezones, model keys, users, statuses, days.

Each reader takes the prepared lower-case text (and, where case matters, the original) and returns the
value in the slash command's own syntax, or None when the text does not say it. A value the text names
but that cannot be read (an unknown zone, "since this morning") comes back as `Unreadable`, so the error
recognizer can ask instead of guessing. Measured against a generative mapper in BENCHMARKS.md.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Unreadable:
    option: str
    text: str


NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
    "a hundred": 100,
    "one hundred": 100,
    "couple": 2,
    "a couple": 2,
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
    "half a": None,
    "a dozen": 12,
    "dozen": 12,
    "two hundred": 200,
    "five hundred": 500,
    "twenty four": 24,
    "twenty-four": 24,
    "forty eight": 48,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "dos": 2,
    "tres": 3,
    "zwei": 2,
    "drei": 3,
    "ein": 1,
    "eine": 1,
}
_NUM_WORD_RE = "|".join(sorted((re.escape(w) for w, v in NUMBER_WORDS.items() if v), key=len, reverse=True))

_UNIT = {
    "m": "m",
    "min": "m",
    "mins": "m",
    "minute": "m",
    "minutes": "m",
    "minutos": "m",
    "minuten": "m",
    "minuto": "m",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "hora": "h",
    "horas": "h",
    "heure": "h",
    "heures": "h",
    "stunde": "h",
    "stunden": "h",
    "std": "h",
    "d": "d",
    "day": "d",
    "days": "d",
    "dia": "d",
    "dias": "d",
    "día": "d",
    "días": "d",
    "jour": "d",
    "jours": "d",
    "tag": "d",
    "tage": "d",
    "tagen": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "semana": "w",
    "semanas": "w",
    "semaine": "w",
    "semaines": "w",
    "woche": "w",
    "wochen": "w",
}
_UNIT_RE = "|".join(sorted(map(re.escape, _UNIT), key=len, reverse=True))
_MSG_RE = r"(?:messages?|msgs?|posts?|lines?|mensajes?|nachrichten|chats?)"

# --- windows -------------------------------------------------------------------------------------------

_MY_LAST = re.compile(
    r"since (?:my last (?:message|msg|post|comment|reply)|my last|i (?:last )?(?:posted|wrote|spoke|talked|messaged|"
    r"said something|chimed in|was (?:last )?(?:here|around|online|active))(?: last)?|i was here last|i left|i last checked|"
    r"the last time i (?:posted|wrote|spoke|talked|was here))|depuis mon dernier message|seit meiner letzten nachricht|"
    r"desde mi (?:último|ultimo) mensaje"
)
_COUNT_A = re.compile(
    rf"\b(?:last|latest|past|previous|recent|final|newest|most recent|últimos|ultimos|derniers|letzten)\s+(\d+|{_NUM_WORD_RE})(?!\s*(?:{_UNIT_RE})\b)(?:\s+{_MSG_RE})?\b"
)
_COUNT_B = re.compile(rf"\b(\d+|{_NUM_WORD_RE})\s+(?:(?:most\s+)?(?:recent|latest|last|newest)\s+)?{_MSG_RE}\b")
_SPAN_WORD = (
    r"since|last|past|previous|in the last|over the last|for the last|from the last|within the last|the last|the past|"
    r"over the past|in the past|during the last|últimas|ultimas|últimos|ultimos|dernières|dernieres|derniers|letzten|"
    r"depuis|seit|desde hace|hace|de las|des|der"
)
_DURATION = re.compile(rf"\b(?:(?:{_SPAN_WORD})\s+(\d+|{_NUM_WORD_RE})|(\d+))\s*-?\s*({_UNIT_RE})\b")
_PLAIN_SPAN = (
    (re.compile(r"\bhalf an hour\b|\b30 ?mins?\b"), "since 30m"),
    (
        re.compile(r"\b(?:last|past|previous|the) hour\b|\ban hour\b|\bderni[eè]re heure\b|\bletzte[n]? stunde\b|\b[uú]ltima hora\b"),
        "since 1h",
    ),
    (
        re.compile(
            r"\b(?:last|past|previous) (?:day|24h)\b|\btoday\b|\byesterday\b|\btonight\b|\baujourd'hui\b|\bheute\b|\bhoy\b|\bhier\b|\bgestern\b|\bayer\b"
        ),
        "since 1d",
    ),
    (re.compile(r"\b(?:last|past|previous|this) week\b|\ba week\b|\bla semaine\b|\bdiese woche\b|\besta semana\b"), "since 1w"),
    (re.compile(r"\b(?:last|past|previous|this) month\b|\ba month\b"), "since 30d"),
    (re.compile(r"\b(?:last|past|previous) (?:couple of|few) days\b"), None),
)
_VAGUE_SPAN = re.compile(
    r"\bsince (?:this morning|lunch|noon|the meeting|the standup|monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend|last night)\b|\bthis (?:morning|afternoon|evening)\b|\blast night\b"
)
_SLASH_OPTION = re.compile(r"\b(channel|window|model|private|user|status|task|key|time|timezone|sources|name|days|prompt):\s*")


def _number(token: str) -> int | None:
    token = token.strip()
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


def read_window(text: str) -> str | Unreadable | None:
    if _MY_LAST.search(text):
        return "since my last message"
    for pattern in (_COUNT_A, _COUNT_B):
        match = pattern.search(text)
        if match:
            count = _number(match.group(1))
            if count:
                return f"last {count}"
    for match in _DURATION.finditer(text):
        worded, bare = match.group(1), match.group(2)
        unit_word = match.group(3)
        compact = len(unit_word) == 1 and text[match.start(3) - 1].isdigit()
        # "3 days" without since/last is a window only when it reads like one ("2h", "in 3 days" is not).
        if bare and not compact and not re.search(r"(?:from|for|of|over|covering|about|the)\s*$", text[: match.start()]):
            continue
        count = _number(worded or bare)
        if count:
            return f"since {count}{_UNIT[unit_word]}"
    for pattern, value in _PLAIN_SPAN:
        if pattern.search(text):
            return value
    vague = _VAGUE_SPAN.search(text)
    if vague:
        return Unreadable("window", vague.group(0))
    return None


# --- channels ------------------------------------------------------------------------------------------

_CHANNEL_MENTION = re.compile(r"<#(\d{5,22})>")
_CHANNEL_HASH = re.compile(r"(?<![\w<&])#([\w-]{1,100})")
_HERE = re.compile(
    r"\b(?:here|this channel|this chan|this thread|this room|in here|current channel|ce canal|ici|aquí|aqui|hier drin|diesem kanal|este canal)\b"
)
_NAME_CONTEXT = r"(?:in|from|of|for|on|to|into|at|the|about|over|inside|en|de|dans|im|in der|del|von|canal|channel|kanal|du)"


@dataclass(frozen=True)
class ChannelRef:
    name: str
    start: int
    end: int


def channel_refs(text: str, channels: Mapping[str, int | None] | Iterable[str] = ()) -> list[ChannelRef]:
    """Channels the text names, in order: <#id> mentions, #names, and known names written without '#'."""
    known = dict(channels) if isinstance(channels, Mapping) else {name: None for name in channels}
    by_id = {str(v): k for k, v in known.items() if v is not None}
    found: list[ChannelRef] = []
    taken: list[tuple[int, int]] = []
    for match in _CHANNEL_MENTION.finditer(text):
        found.append(ChannelRef(by_id.get(match.group(1), match.group(1)), match.start(), match.end()))
        taken.append(match.span())
    for match in _CHANNEL_HASH.finditer(text):
        name = match.group(1).lower().strip("-_")
        if name and not name.isdigit():
            found.append(ChannelRef(name, match.start(), match.end()))
            taken.append(match.span())
    pattern = _bare_names_pattern(tuple(sorted((n.lower() for n in known), key=len, reverse=True)))
    for match in pattern.finditer(text) if pattern else ():
        group = 1 if match.group(1) else 2
        span = match.span(group)
        if any(a <= span[0] < b for a, b in taken):
            continue
        name = match.group(group)
        if name == "general" and re.match(r"\s*(?:in general|generally)\s*,", text[max(0, span[0] - 3) : span[1] + 2]):
            continue
        found.append(ChannelRef(name, span[0], span[1]))
        taken.append(span)
    found.sort(key=lambda ref: ref.start)
    return found


@lru_cache(maxsize=64)
def _bare_names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """Known channel names written without '#', after a word like "in"/"from" or before "channel"."""
    if not names:
        return None
    alternation = "|".join(map(re.escape, names))
    return re.compile(
        rf"(?:\b{_NAME_CONTEXT}\s+(?:the\s+)?)({alternation})\b(?!-)(?!\s+(?:digest|recap|summary|summaries|meeting|call|standup|sync|report))"
        rf"|\b({alternation})\s+(?:channel|chan|room|kanal)\b"
    )


def mentions_here(text: str) -> bool:
    return bool(_HERE.search(text))


# --- time of day, timezones ------------------------------------------------------------------------------

_HHMM = re.compile(r"\b([01]?\d|2[0-3])\s*[:h.]\s*([0-5]\d)\s*(a\.?m\.?|p\.?m\.?)?(?!\d)")
_H_AMPM = re.compile(r"\b(1[0-2]|0?[1-9])\s*(a\.?m\.?|p\.?m\.?|o'?clock|in the morning|in the evening|at night|in the afternoon|uhr|h\b)")
_AT_H = re.compile(r"\b(?:at|@|um|à|a las|a la)\s+([01]?\d|2[0-3])\s*(?:h|uhr)?\b(?!\s*(?:messages?|msgs?|days?|hours?|%))")


def read_time(text: str) -> str | None:
    if re.search(r"\bnoon\b|\bmidday\b|\bmidi\b|\bmittag\b|\bmediod[ií]a\b", text):
        return "12:00"
    if re.search(r"\bmidnight\b|\bminuit\b|\bmitternacht\b|\bmedianoche\b", text):
        return "00:00"
    match = _HHMM.search(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        return f"{_ampm(hour, match.group(3) or '', text[match.end() : match.end() + 20]):02d}:{minute:02d}"
    match = _H_AMPM.search(text)
    if match:
        return f"{_ampm(int(match.group(1)), match.group(2), text[match.end() : match.end() + 20]):02d}:00"
    match = _AT_H.search(text)
    if match:
        return f"{_ampm(int(match.group(1)), '', text[match.end() : match.end() + 20]):02d}:00"
    return None


def _ampm(hour: int, marker: str, after: str) -> int:
    marker = marker.replace(".", "")
    evening = (
        marker.startswith("pm")
        or marker in ("in the evening", "at night", "in the afternoon")
        or re.match(r"\s*(?:pm|p\.m|in the evening|at night|in the afternoon|du soir|abends)", after)
    )
    morning = marker.startswith("am") or marker == "in the morning"
    if evening and hour < 12:
        return hour + 12
    if morning and hour == 12:
        return 0
    return hour


_ZONE_ALIASES = {
    "utc": "UTC",
    "gmt": "UTC",
    "zulu": "UTC",
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern": "America/New_York",
    "et": "America/New_York",
    "new york": "America/New_York",
    "nyc": "America/New_York",
    "boston": "America/New_York",
    "east coast": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "texas": "America/Chicago",
    "mst": "America/Denver",
    "mdt": "America/Denver",
    "mountain": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "pt": "America/Los_Angeles",
    "west coast": "America/Los_Angeles",
    "california": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "bay area": "America/Los_Angeles",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "münchen": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "deutschland": "Europe/Berlin",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "españa": "Europe/Madrid",
    "italy": "Europe/Rome",
    "uk": "Europe/London",
    "britain": "Europe/London",
    "england": "Europe/London",
    "bst": "Europe/London",
    "netherlands": "Europe/Amsterdam",
    "poland": "Europe/Warsaw",
    "sweden": "Europe/Stockholm",
    "ist": "Asia/Kolkata",
    "india": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "jst": "Asia/Tokyo",
    "japan": "Asia/Tokyo",
    "korea": "Asia/Seoul",
    "china": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "aest": "Australia/Sydney",
    "brazil": "America/Sao_Paulo",
    "são paulo": "America/Sao_Paulo",
    "sao paulo": "America/Sao_Paulo",
    "mexico": "America/Mexico_City",
    "mexico city": "America/Mexico_City",
    "canada": "America/Toronto",
    "hawaii": "Pacific/Honolulu",
    "singapore": "Asia/Singapore",
    "dubai": "Asia/Dubai",
    "moscow": "Europe/Moscow",
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "nz": "Pacific/Auckland",
    "new zealand": "Pacific/Auckland",
}
_AMBIGUOUS_SHORT = {"et", "pt", "ist", "sf", "nz", "uk", "central", "eastern", "pacific", "mountain"}


@lru_cache(maxsize=1)
def _zones() -> tuple[dict[str, str], dict[str, str]]:
    """IANA names by lower case, and city names ('new york') to their zone, from the system's tz database."""
    names = {
        z.lower(): z
        for z in zoneinfo.available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    }
    cities: dict[str, str] = {}
    for zone in sorted(names.values()):
        if zone.split("/")[0] in ("Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian"):
            city = zone.split("/")[-1].replace("_", " ").lower()
            cities.setdefault(city, zone)
    return names, cities


_IANA = re.compile(r"\b([a-z]+(?:/[a-z0-9_+\-]+){1,2})\b")


def read_timezone(text: str, *, required_context: bool = False) -> str | Unreadable | None:
    """An IANA zone named outright, or a city / abbreviation the tz database or the alias table knows."""
    names, cities = _zones()
    for match in _IANA.finditer(text):
        zone = names.get(match.group(1))
        if zone:
            return zone
        if "/" in match.group(1) and match.group(1).split("/")[0] in {
            "europe",
            "america",
            "asia",
            "africa",
            "australia",
            "pacific",
            "atlantic",
            "indian",
        }:
            return Unreadable("timezone", match.group(1))
    if re.search(r"\butc\b|\bgmt\b", text) and not re.search(r"\b(?:utc|gmt)\s*[+-]\s*\d", text):
        return "UTC"
    for match in _alias_pattern().finditer(text):
        alias = match.group(1)
        if alias in _AMBIGUOUS_SHORT and not re.search(rf"\b{re.escape(alias)}\s*(?:time|timezone|tz)?\b", text):
            continue
        if len(alias) <= 3 and not re.search(
            rf"(?:\b(?:in|to|at|use|on)\s+{re.escape(alias)}\b)|\b{re.escape(alias)}\s+(?:time|timezone|tz)\b|\b{re.escape(alias)}\b\W*$",
            text,
        ):
            continue
        return _ZONE_ALIASES.get(alias) or cities[alias]
    return None


@lru_cache(maxsize=1)
def _alias_pattern() -> re.Pattern:
    """One alternation of every alias and tz-database city, longest first (one scan instead of hundreds)."""
    _, cities = _zones()
    names = sorted({**_ZONE_ALIASES, **cities}, key=len, reverse=True)
    return re.compile(r"(?<![\w/#-])(" + "|".join(map(re.escape, names)) + r")(?![\w/-])")


# --- model keys and tasks --------------------------------------------------------------------------------

_TASK_WORDS = (
    (re.compile(r"\bsummar\w*|\brésum\w*|\bzusammenfass\w*|\bresum\w*|\btl;?dr\b|\bdigest model\b"), "summarization"),
    (
        re.compile(
            r"\bchat\w*|\btext[ _-]?generation\b|\bgenerat\w*|\breplies\b|\bconversation\w*|\bllm\b|\blanguage model\b|\btalking\b|\banswers?\b"
        ),
        "text_generation",
    ),
    (re.compile(r"\bclassif\w*"), "classification"),
    (re.compile(r"\bembedd?\w*|\bvector\w*"), "embedding"),
)


def read_model_task(text: str) -> str | None:
    for task in ("summarization", "text_generation", "classification", "embedding"):
        if re.search(rf"\b{task}\b", text):
            return task
    for pattern, task in _TASK_WORDS:
        if pattern.search(text):
            return task
    return None


def _compact(text: str) -> str:
    return re.sub(r"[\s._-]+", "", text.lower())


@lru_cache(maxsize=8)
def _aliases(keys: tuple[str, ...]) -> dict[str, str]:
    """Spoken forms of each registry key ('pegasus', 'tiny llama', 'qwen 2.5') that name only that key."""
    counts: dict[str, set[str]] = {}
    for key in keys:
        parts = re.split(r"[-_.]", key)
        forms = {key, _compact(key)}
        for n in range(1, len(parts) + 1):
            forms.add(_compact("".join(parts[:n])))
        head = re.match(r"[a-z]+", key)
        if head and len(head.group(0)) >= 3:
            forms.add(head.group(0))
        for form in forms:
            if len(form) >= 3:
                counts.setdefault(form, set()).add(key)
    return {form: next(iter(owners)) for form, owners in counts.items() if len(owners) == 1}


def read_model_key(text: str, keys: Iterable[str]) -> str | None:
    """The registry key the text names (longest spoken form wins), or None."""
    keys = tuple(sorted(keys))
    aliases = _aliases(keys)
    words = re.findall(r"[a-z0-9][a-z0-9._-]*", text.lower())
    best: tuple[int, str] | None = None
    # Join up to three neighbouring words so "tiny llama", "qwen 2.5" and "bart large cnn" match.
    for i in range(len(words)):
        for j in range(i + 1, min(i + 4, len(words)) + 1):
            form = _compact("".join(words[i:j]))
            key = aliases.get(form) or aliases.get(form.rstrip("s"))
            if key and (best is None or len(form) > best[0]):
                best = (len(form), key)
    return best[1] if best else None


_KEY_CANDIDATE = re.compile(r"\b(?:to|use|using|with|onto|for|key)\s+(?:the\s+)?(?:model\s+)?([a-z0-9][a-z0-9._-]*[a-z0-9])\b")
_NOT_KEYS = {
    "the",
    "a",
    "an",
    "model",
    "summaries",
    "summarization",
    "summarizer",
    "chat",
    "classification",
    "embedding",
    "embeddings",
    "text_generation",
    "generation",
    "it",
    "that",
    "this",
    "me",
    "be",
    "something",
    "another",
    "other",
    "different",
    "better",
    "faster",
    "smaller",
    "bigger",
    "new",
    "summarizing",
    "replies",
    "summary",
    "task",
    "tasks",
    "chatting",
    "talking",
    "classifier",
    "answers",
    "one",
    "models",
    "default",
    "use",
    "switch",
}


def unknown_model_key(text: str) -> str | None:
    """A word in the place of a model key that the registry does not know ("switch chat to gpt-4")."""
    for match in _KEY_CANDIDATE.finditer(text):
        word = match.group(1)
        if word not in _NOT_KEYS and not word.isdigit():
            return word
    return None


# --- users, statuses, privacy, numbers ---------------------------------------------------------------------

_USER_MENTION = re.compile(r"<@!?(\d{5,22})>")
_ME = re.compile(r"\b(?:me|my|mine|myself|i|i've|i'm|moi|mes|mis|mir|mich|meine?n?|yo)\b")
_NOT_NAMES = {
    "me",
    "my",
    "the",
    "a",
    "an",
    "this",
    "that",
    "today",
    "tomorrow",
    "now",
    "everyone",
    "everybody",
    "all",
    "us",
    "our",
    "them",
    "team",
    "channel",
    "server",
    "here",
    "it",
    "you",
    "him",
    "her",
    "real",
    "later",
    "open",
    "done",
    "closed",
    "tasks",
    "task",
    "ones",
    "week",
    "month",
    "day",
    "hours",
    "sure",
    "ever",
    "example",
    "instance",
    "yesterday",
    "friday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "saturday",
    "sunday",
    "anyone",
    "someone",
    "nobody",
    "people",
    "others",
    "each",
    "every",
    "last",
    "since",
    "please",
    "pls",
    "thanks",
    "status",
    "what",
    "who",
    "which",
    "how",
    "why",
    "when",
    "where",
    "is",
    "are",
    "pending",
    "cancelled",
    "canceled",
    "finished",
    "completed",
    "smolcord",
    "bot",
    "sprint",
    "release",
    "review",
    "items",
    "action",
    "todo",
    "todos",
    "to-dos",
    "list",
    "stuff",
    "things",
    "work",
    "job",
    "jobs",
    "both",
    "whole",
    "entire",
    "outstanding",
    "unfinished",
    "mine",
    "your",
    "their",
    "his",
    "hers",
    "ours",
    "yours",
    "do",
    "be",
    "see",
    "go",
    "get",
    "check",
    "fix",
    "make",
    "private",
    "privately",
    "public",
    "publicly",
    "tickets",
    "issues",
    "assignments",
}
_NAME_BEFORE = re.compile(r"\b(?:for|of|by|to|from|owned by|assigned to|belonging to|on|about|pour|für|para|de)\s+@?([a-z][\w.-]{1,31})\b")
_POSSESSIVE = re.compile(
    r"(?<![#\w])@?([a-z][\w.-]{1,31})'s?\b(?=\s+(?:\w+\s+){0,2}(?:tasks?|to-?dos?|items?|action items?|work|stuff|list|assignments?|open|ones|plate|tickets?))"
)
_HAS = re.compile(
    r"\b(?:does|did|has|is|will|should|can|must)\s+@?([a-z][\w.-]{1,31})\s+(?:have|has|got|own|still|working|left|assigned|finish\w*|complet\w*|do|need|owe|promise\w*|commit\w*|close\w*)\b"
)
_AT_NAME = re.compile(r"(?<![\w<])@([a-z][\w.-]{1,31})\b")


def read_user(text: str, original: str, channel_names: Iterable[str] = ()) -> str | None:
    """`me`, a display name as written (case kept from the original), or a <@id> mention's id."""
    mention = _USER_MENTION.search(original)
    if mention:
        return mention.group(1)
    banned = _NOT_NAMES | {c.lower() for c in channel_names}
    for pattern in (_AT_NAME, _POSSESSIVE, _NAME_BEFORE, _HAS):
        for match in pattern.finditer(text):
            word = match.group(1).rstrip(".'")
            if word in _ME.pattern or re.fullmatch(_ME.pattern, word) or word in banned or word.isdigit():
                continue
            if re.fullmatch(rf"{_NUM_WORD_RE}", word) or word in _UNIT:
                continue
            return _original_case(word, original)
    text = re.sub(
        r"\b(?:show|give|tell|send|let|get|dm|remind|catch|brief|fill|help|bring|can you|could you)\s+me\b|\bfor me to see\b|\bjust (?:for |to )?me\b|\bonly (?:to )?me\b",
        " ",
        text,
    )
    if re.search(
        r"\b(?:my|mine|me|myself|i have|i've got|i own|i still|am i|should i|do i|did i|i need to|assigned to me|i'm on|i committed|i promised|mes|mis|meine)\b",
        text,
    ):
        return "me"
    return None


def _original_case(word: str, original: str) -> str:
    match = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", original, re.IGNORECASE)
    return match.group(0) if match else word


_STATUS = (
    (
        re.compile(
            r"\ball (?:the |my |of (?:the|my) )?(?:tasks|ones|items|of them|to-?dos)\b|\bevery(?:thing| task| single task)\b|\bincluding (?:the )?(?:done|closed|finished|cancelled)\b|\bany status\b|\bwhatever (?:the )?status\b|\bstatus:? ?all\b|\b(?:toutes|todas|alle)\b"
        ),
        "all",
    ),
    (re.compile(r"\bcancel+ed\b|\bdropped\b|\babandoned\b|\bscrapped\b|\bcalled off\b|\bstatus:? ?cancel"), "cancelled"),
    (
        re.compile(
            r"\bdone\b|\bcompleted?\b|\bfinished\b|\b(?:did|has|have)\s+\S+\s+finish\b|\bi finished\b|\bclosed\b|\bresolved\b|\bticked off\b|\bchecked off\b|\bwrapped up\b|\bterminé\w*|\berledigt\w*|\bhech[ao]s?\b|\bcompletad[ao]s?\b"
        ),
        "done",
    ),
    (
        re.compile(
            r"\bopen\b|\bpending\b|\bunfinished\b|\boutstanding\b|\bnot (?:yet )?done\b|\bstill (?:to do|todo|left|due|on|waiting)\b|\bincomplete\b|\bremaining\b|\bunresolved\b|\bleft to do\b|\bouvert\w*|\boffen\w*|\bpendiente\w*|\babiert\w*|\ben cours\b"
        ),
        "open",
    ),
)


def read_status(text: str) -> str | None:
    for pattern, status in _STATUS:
        if pattern.search(text):
            if status == "done" and re.search(r"\bnot (?:yet )?done\b|\bget (?:it|this|things) done\b|\bto get done\b", text):
                continue
            return status
    if re.search(r"\bstill\b.*\b(?:have|got|owe|need|due|on)\b|\bwhat'?s (?:still|left)\b|\bleft\b", text):
        return "open"
    return None


_PRIVATE_TRUE = re.compile(
    r"\bprivate(?:ly)?\b|\bonly (?:to |for )?me\b|\bjust (?:to |for )?me\b|\bdm me\b|\bin (?:a )?dm\b|\bonly i (?:can )?see\b|\bjust for my eyes\b|\bfor my eyes only\b|\bephemeral\b|\bquietly\b|\bsecretly\b|\bdon'?t (?:post|share) it\b|\bnot (?:in )?public(?:ly)?\b|\bwithout posting\b|\bonly visible to me\b|\ben privé\b|\bprivado\b|\bprivat\b"
)
_PRIVATE_FALSE = re.compile(
    r"\bpublic(?:ly)?\b|\bfor everyone to see\b|\bso (?:everyone|the team|all of us|we all) can see\b|\bpost it (?:in|to) (?:the )?channel\b|\bshare it (?:with|in)\b|\bnot private(?:ly)?\b|\bout loud\b|\bvisible to (?:everyone|all)\b|\bfor the (?:whole )?(?:team|channel)\b"
)


def read_private(text: str) -> bool | None:
    if re.search(r"\bnot private(?:ly)?\b|\bno need (?:for|to be) private\b", text):
        return False
    if _PRIVATE_TRUE.search(text):
        return True
    if _PRIVATE_FALSE.search(text):
        return False
    return None


_DAYS = re.compile(
    rf"\b(\d+|{_NUM_WORD_RE})\s*-?\s*(days?|d|weeks?|wks?|months?|mo|years?|yrs?|jours?|tage?n?|d[ií]as?|mois|monate?n?|meses?|ans?|jahre?n?|años?)\b"
)


def read_days(text: str) -> int | None:
    if re.search(
        r"\bforever\b|\bindefinitely\b|\bnever (?:delete|remove|expire|purge|clean)|\bfor good\b|\bno limit\b|\bpour toujours\b|\bfür immer\b|\bpara siempre\b|\bunlimited\b|\bdays:? ?0\b",
        text,
    ):
        return 0
    match = _DAYS.search(text)
    if match:
        count = _number(match.group(1))
        unit = match.group(2)
        if count is None:
            return None
        if unit.startswith(("w", "wk")):
            return count * 7
        if unit.startswith(("mo", "mes", "mois", "monat")):
            return count * 30
        if unit.startswith(("y", "an", "jahr", "año")):
            return count * 365
        return count
    match = re.search(r"\b(?:retention|keep|days)\b\D{0,20}?\b(\d{1,4})\b", text)
    if match:
        return int(match.group(1))
    return None


def slash_options(original: str) -> dict[str, str]:
    """Options written slash-command style in the text ("window:since 2h channel:#dev")."""
    found: dict[str, str] = {}
    matches = list(_SLASH_OPTION.finditer(original.lower()))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(original)
        found[match.group(1)] = original[match.end() : end].strip()
    return found
